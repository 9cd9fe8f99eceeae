using System.Security.Cryptography;
using MmapActors.Tests.Actors;
using MmapActors.Tests.Remote;

namespace MmapActors.Tests.Cli;

/// <summary>
/// <c>put</c> from standard input as the README shows it (<c>head -c 16M /dev/urandom | mmapctl put x</c>), through a real
/// <c>mmapctl serve</c> with its HTTP data plane on (serve's own default) and off (<c>--http-port 0</c>): byte-identical
/// whatever the length. With the data plane on, a pipe of more than the first 64 KiB used to fail with "Sent 16711680
/// request content bytes, but Content-Length promised 16777216".
/// </summary>
public sealed class MmapctlPipeTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mmapctl-pipe-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData(0, true)]
    [InlineData(0, false)]
    [InlineData(1 << 20, true)]
    [InlineData(1 << 20, false)]
    [InlineData(64 << 20, true)]
    [InlineData(64 << 20, false)]
    public async Task Standard_input_of_any_length_is_put_byte_identical_with_and_without_the_data_plane(int length, bool dataPlane)
    {
        await using var server = await ServerProcess.StartAsync(_root, httpPort: dataPlane ? -1 : 0);
        var data = TempFile.RandomBytes(length, seed: length % 1000 + 1);

        var put = await Mmapctl.RunAsync(["put", "x", "--server", server.Address], input: data, timeout: TimeSpan.FromMinutes(3));
        Assert.True(put.Exit == 0, put.All);
        var get = await Mmapctl.RunAsync(["get", "x", "-o", "-", "--server", server.Address], timeout: TimeSpan.FromMinutes(3));
        Assert.True(get.Exit == 0, get.Err);

        Assert.Equal(length, get.OutBytes.Length);
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(get.OutBytes));
        Assert.Equal(["x"], Directory.GetFiles(_root).Select(Path.GetFileName)); // no temporary upload left behind
        Assert.False(server.HasExited);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_put_into_a_missing_directory_names_the_directory_and_never_the_temporary_file(bool dataPlane)
    {
        await using var server = await ServerProcess.StartAsync(_root, httpPort: dataPlane ? -1 : 0);
        string input = Path.Combine(_root, "input.bin");
        await File.WriteAllBytesAsync(input, new byte[2000]);

        var piped = await Mmapctl.RunAsync(["put", "dir/x", "--server", server.Address], input: new byte[2000]);
        var fromFile = await Mmapctl.RunAsync("put", "dir/x", "-i", input, "--server", server.Address);

        foreach (var result in new[] { piped, fromFile })
        {
            Assert.True(result.Exit == 3, result.All); // not found
            Assert.Contains("No such file or directory: 'dir/' (no such directory", result.Err);
            Assert.DoesNotContain(".part", result.Err);
            Mmapctl.AssertNoStackTrace(result.All);
        }
        Assert.False(Directory.Exists(Path.Combine(_root, "dir")));
    }
}
