using System.Runtime.InteropServices;
using MmapActors.Remote;

namespace MmapActors.Tests.Remote;

/// <summary>Remote requests are untrusted: every refusal is a clear error, and the server keeps serving.</summary>
public sealed partial class RemoteSecurityTests(RemoteServerFixture remote) : IClassFixture<RemoteServerFixture>
{
    [LibraryImport("libc", EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int MakeFifo(string path, int mode);

    private async Task AssertRefusedAsync(string path, int errno, MmapAccess access = MmapAccess.Read)
    {
        var e = await Assert.ThrowsAsync<MmapException>(() => remote.Client.OpenAsync(path, access: access));
        Assert.Equal(MmapErrorKind.OSError, e.Kind);
        Assert.Equal(errno, e.Errno);
        Assert.StartsWith($"[Errno {errno}] ", e.Message);
        await AssertStillServingAsync();
    }

    private async Task AssertStillServingAsync()
    {
        string name = $"ok-{Guid.NewGuid():N}.bin";
        await File.WriteAllBytesAsync(Path.Combine(remote.Root, name), "fine"u8.ToArray());
        await using var file = await remote.Client.OpenAsync(name, access: MmapAccess.Read);
        Assert.Equal("fine"u8.ToArray(), await file.ReadAtAsync(0, 4));
    }

    [Fact]
    public async Task A_dot_dot_escape_is_refused() => await AssertRefusedAsync("../../../../etc/passwd", 18);

    [Fact]
    public async Task An_absolute_path_is_refused() => await AssertRefusedAsync("/etc/passwd", 18);

    [Fact]
    public async Task A_symlink_to_a_file_outside_the_root_is_refused()
    {
        string outside = Path.Combine(Path.GetTempPath(), $"outside-{Guid.NewGuid():N}.bin");
        await File.WriteAllBytesAsync(outside, "secret"u8.ToArray());
        try
        {
            File.CreateSymbolicLink(Path.Combine(remote.Root, "evil-link"), outside);
            await AssertRefusedAsync("evil-link", 18);
        }
        finally
        {
            File.Delete(outside);
        }
    }

    [Fact]
    public async Task A_symlinked_directory_leading_out_is_refused()
    {
        Directory.CreateSymbolicLink(Path.Combine(remote.Root, "up"), "/etc");
        await AssertRefusedAsync("up/passwd", 18);
    }

    [Fact]
    public async Task A_FIFO_is_refused_without_blocking_the_server()
    {
        string fifo = Path.Combine(remote.Root, "pipe");
        Assert.Equal(0, MakeFifo(fifo, Convert.ToInt32("600", 8)));
        await AssertRefusedAsync("pipe", 19);
    }

    [Fact]
    public async Task A_link_to_dev_zero_is_refused()
    {
        File.CreateSymbolicLink(Path.Combine(remote.Root, "zero"), "/dev/zero");
        await AssertRefusedAsync("zero", 18);
    }

    [Fact]
    public async Task A_directory_is_refused() 
    {
        Directory.CreateDirectory(Path.Combine(remote.Root, "a-dir"));
        await AssertRefusedAsync("a-dir", 21);
    }

    [Fact]
    public async Task A_symlink_that_stays_inside_the_root_is_served()
    {
        await File.WriteAllBytesAsync(Path.Combine(remote.Root, "target.bin"), "inside"u8.ToArray());
        File.CreateSymbolicLink(Path.Combine(remote.Root, "inside-link"), "target.bin");
        await using var file = await remote.Client.OpenAsync("inside-link", access: MmapAccess.Read);
        Assert.Equal("inside"u8.ToArray(), await file.ReadAtAsync(0, 6));
    }
}
