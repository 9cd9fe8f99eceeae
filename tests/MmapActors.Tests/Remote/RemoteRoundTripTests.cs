using System.Security.Cryptography;
using MmapActors.Remote;
using MmapActors.Tests.Actors;

namespace MmapActors.Tests.Remote;

/// <summary>A server and a client ActorSystem in one process, talking over loopback TCP.</summary>
public sealed class RemoteRoundTripTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("mmap-served-").FullName;
    private MmapServer _server = null!;
    private MmapClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await MmapServer.StartAsync(new MmapServerOptions(_root, Port: 0, Config: "akka.loglevel = WARNING"));
        _client = await MmapRemote.ConnectAsync(_server.Address.ToString());
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Open_read_write_resize_and_flush_round_trip_over_the_network()
    {
        byte[] contents = RandomNumberGenerator.GetBytes(10000);
        await File.WriteAllBytesAsync(Path.Combine(_root, "a.bin"), contents);

        await using var file = await _client.OpenAsync("a.bin");
        Assert.Equal(contents.AsSpan(100, 50).ToArray(), await file.ReadAtAsync(100, 50));
        await file.WriteAtAsync(0, "remote"u8.ToArray());
        await file.ResizeAsync(20000);
        await file.WriteAtAsync(19990, "tail"u8.ToArray());
        await file.FlushAsync();
        Assert.Equal(20000, await file.SizeAsync());
        var buffer = new byte[6];
        Assert.Equal(6, await file.ReadAtAsync(0, buffer.AsMemory()));
        Assert.Equal("remote"u8.ToArray(), buffer);

        byte[] onDisk = await File.ReadAllBytesAsync(Path.Combine(_root, "a.bin"));
        Assert.Equal("remote"u8.ToArray(), onDisk.AsSpan(0, 6).ToArray());
        Assert.Equal("tail"u8.ToArray(), onDisk.AsSpan(19990, 4).ToArray());
        var error = await Assert.ThrowsAsync<MmapException>(() => file.SeekAsync(-1));
        Assert.Equal(("ValueError", "seek out of range"), (error.PythonTypeName, error.Message));
    }
}
