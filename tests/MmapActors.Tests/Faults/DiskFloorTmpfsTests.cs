using Akka.Actor;
using Akka.Configuration;
using MmapActors.Remote;

namespace MmapActors.Tests.Faults;

/// <summary>
/// <c>mmap.limits.min-free-disk</c> measured with a real statfs(2): a 64 MiB tmpfs as the served root (or the directory
/// of a local client), a floor of 16 MiB. Creates and growth that would cross it are ENOSPC and change nothing; what
/// stays above it, shrinking and writes inside a file go through; the server keeps serving.
/// </summary>
[Collection(NonParallelCollection.Name)]
public sealed class DiskFloorTmpfsTests
{
    private const long MiB = 1 << 20;

    private static async Task<(MmapServer Server, MmapClient Client)> ServeAsync(string root, string floor)
    {
        var server = await MmapServer.StartAsync(new MmapServerOptions(root, Port: 0,
            Config: $"akka.loglevel = ERROR\nmmap.limits.min-free-disk = {floor}"));
        var client = await MmapRemote.ConnectAsync(server.Address.ToString(), "akka.loglevel = ERROR");
        return (server, client);
    }

    private static void AssertFloor(MmapException e)
    {
        Assert.Equal(MmapErrorKind.OSError, e.Kind);
        Assert.Equal(28, e.Errno);
        Assert.Equal(MmapErrorCode.LimitExceeded, e.Code);
        Assert.Contains("mmap.limits.min-free-disk", e.Message);
    }

    [TmpfsFact]
    public async Task A_create_that_would_cross_the_floor_gets_ENOSPC_leaves_no_file_and_the_server_keeps_serving()
    {
        using var tmpfs = SmallTmpfs.Mount(64);
        var (server, client) = await ServeAsync(tmpfs.Path, "16MiB");
        await using (server)
        await using (client)
        {
            await client.CreateFileAsync("first.bin", 40 * MiB); // leaves 24 MiB

            var refused = await Assert.ThrowsAsync<MmapException>(() => client.CreateFileAsync("second.bin", 10 * MiB));
            AssertFloor(refused);
            Assert.Contains("16MiB", refused.Message);
            Assert.False(File.Exists(Path.Combine(tmpfs.Path, "second.bin")));
            // An upload's temporary file is a create like any other.
            string temporary = ServedRoot.TemporaryNameFor("upload.bin");
            AssertFloor(await Assert.ThrowsAsync<MmapException>(() => client.CreateFileAsync(temporary, 10 * MiB)));
            Assert.Equal(["first.bin"], Directory.GetFiles(tmpfs.Path).Select(Path.GetFileName));

            // What stays above the floor is still allowed, and the server answers as before.
            await client.CreateFileAsync("small.bin", 4 * MiB);
            await using var first = await client.OpenAsync("first.bin");
            await first.WriteAtAsync(40 * MiB - 4, "tail"u8.ToArray());
            Assert.Equal("tail"u8.ToArray(), await first.ReadAtAsync(40 * MiB - 4, 4));
        }
    }

    [TmpfsFact]
    public async Task A_resize_that_would_cross_a_percentage_floor_gets_ENOSPC_and_the_file_keeps_its_length_and_bytes()
    {
        using var tmpfs = SmallTmpfs.Mount(64);
        var (server, client) = await ServeAsync(tmpfs.Path, "\"25%\""); // 16 MiB of this filesystem
        await using (server)
        await using (client)
        {
            await client.CreateFileAsync("data.bin", 32 * MiB); // leaves 32 MiB
            await using var file = await client.OpenAsync("data.bin");
            await file.WriteAtAsync(0, "kept"u8.ToArray());

            AssertFloor(await Assert.ThrowsAsync<MmapException>(() => file.ResizeAsync(52 * MiB)));
            Assert.Equal(32 * MiB, new FileInfo(Path.Combine(tmpfs.Path, "data.bin")).Length);
            Assert.Equal(32 * MiB, await file.SizeAsync());
            Assert.Equal("kept"u8.ToArray(), await file.ReadAtAsync(0, 4));

            // Growth above the floor, shrinking and writes inside the file are never refused.
            await file.ResizeAsync(44 * MiB); // leaves 20 MiB
            AssertFloor(await Assert.ThrowsAsync<MmapException>(() => file.ResizeAsync(48 * MiB + 1)));
            await file.ResizeAsync(8 * MiB);
            await file.WriteAtAsync(8 * MiB - 4, "last"u8.ToArray());
            Assert.Equal(8 * MiB, new FileInfo(Path.Combine(tmpfs.Path, "data.bin")).Length);
        }
    }

    [TmpfsFact]
    public async Task An_HTTP_PUT_that_would_cross_the_floor_is_507_with_errno_28_and_changes_nothing()
    {
        using var tmpfs = SmallTmpfs.Mount(64);
        await using var server = await MmapServer.StartAsync(new MmapServerOptions(tmpfs.Path, Port: 0, HttpPort: MmapServerOptions.AnyHttpPort,
            Config: "akka.loglevel = ERROR\nmmap.limits.min-free-disk = 16MiB\nmmap.http.anonymous-writes = on"));
        using var http = new HttpClient { BaseAddress = server.DataPlane!.BaseUrl };
        await File.WriteAllBytesAsync(Path.Combine(tmpfs.Path, "grown.bin"), new byte[MiB]);

        async Task<HttpResponseMessage> PutAsync(string path, string contentRange)
        {
            var content = new ByteArrayContent("data"u8.ToArray());
            content.Headers.Add("Content-Range", contentRange);
            return await http.PutAsync(path, content);
        }

        // An existing file grown by a range that ends where it would leave 13 of 64 MiB; a Content-Range total reserves
        // nothing at all (the file ends with the bytes that arrived).
        using var grown = await PutAsync("grown.bin", $"bytes {51 * MiB - 4}-{51 * MiB - 1}/*");
        using var claimed = await PutAsync("new.bin", $"bytes 0-3/{50 * MiB}");

        Assert.Equal(System.Net.HttpStatusCode.InsufficientStorage, grown.StatusCode);
        Assert.Equal("28", grown.Headers.GetValues("Mmap-Errno").Single());
        Assert.Contains("mmap.limits.min-free-disk", await grown.Content.ReadAsStringAsync());
        Assert.Equal(MiB, new FileInfo(Path.Combine(tmpfs.Path, "grown.bin")).Length);
        Assert.Equal(System.Net.HttpStatusCode.Created, claimed.StatusCode);
        Assert.Equal(4, new FileInfo(Path.Combine(tmpfs.Path, "new.bin")).Length);
        using var fits = await PutAsync("grown.bin", $"bytes {40 * MiB - 4}-{40 * MiB - 1}/*");
        Assert.Equal(System.Net.HttpStatusCode.NoContent, fits.StatusCode);
        Assert.Equal(40 * MiB, new FileInfo(Path.Combine(tmpfs.Path, "grown.bin")).Length);
    }

    [TmpfsFact]
    public async Task A_local_client_without_a_served_root_gets_the_same_floor_on_the_directory_it_creates_in()
    {
        using var tmpfs = SmallTmpfs.Mount(64);
        using var system = ActorSystem.Create("floor", ConfigurationFactory.ParseString(
            "akka.loglevel = ERROR\nmmap.limits.min-free-disk = 16MiB").WithFallback(MmapActors.Actors.MmapSettings.DefaultConfig));
        await using var client = MmapClient.Create(system);

        AssertFloor(await Assert.ThrowsAsync<MmapException>(() => client.CreateFileAsync(Path.Combine(tmpfs.Path, "big.bin"), 50 * MiB)));
        Assert.False(File.Exists(Path.Combine(tmpfs.Path, "big.bin")));
        await client.CreateFileAsync(Path.Combine(tmpfs.Path, "fits.bin"), 40 * MiB);
        Assert.Equal(40 * MiB, new FileInfo(Path.Combine(tmpfs.Path, "fits.bin")).Length);
    }
}
