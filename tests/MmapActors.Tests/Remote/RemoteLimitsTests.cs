using MmapActors.Remote;

namespace MmapActors.Tests.Remote;

/// <summary>A server with tight limits and a read-only server: over-limit requests and writes are refused.</summary>
public sealed class RemoteLimitsTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("mmap-limits-").FullName;
    private MmapServer _server = null!;
    private MmapServer _readOnly = null!;
    private MmapClient _client = null!;
    private MmapClient _readOnlyClient = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllBytesAsync(Path.Combine(_root, "data.bin"), new byte[256 * 1024]);
        _server = await MmapServer.StartAsync(new MmapServerOptions(_root, Port: 0, Config: """
            akka.loglevel = WARNING
            mmap.limits { max-range-length = 64KiB, max-handles-per-node = 3, max-file-size = 1MiB, max-mapped-bytes = 100MiB }
            """));
        _readOnly = await MmapServer.StartAsync(new MmapServerOptions(_root, Port: 0, ReadOnly: true, Config: "akka.loglevel = WARNING"));
        _client = await MmapRemote.ConnectAsync(_server.Address.ToString(), "mmap.transfer.chunk-size = 32KiB");
        _readOnlyClient = await MmapRemote.ConnectAsync(_readOnly.Address.ToString());
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _readOnlyClient.DisposeAsync();
        await _server.DisposeAsync();
        await _readOnly.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task A_request_over_the_range_limit_is_refused_and_the_same_range_streams_in_chunks()
    {
        await using var file = await _client.OpenAsync("data.bin");

        var e = await Assert.ThrowsAsync<MmapException>(() => file.ReadAtAsync(0, 100_000));
        Assert.Equal(MmapErrorKind.ValueError, e.Kind);
        Assert.Equal(MmapErrorCode.LimitExceeded, e.Code); // the code crosses the wire
        Assert.Contains("max-range-length", e.Message);
        await Assert.ThrowsAsync<MmapException>(() => file.WriteAtAsync(0, new byte[100_000]));

        var sink = new MemoryStream();
        Assert.Equal(200_000, await file.ReadRangeAsync(0, 200_000, sink));
    }

    [Fact]
    public async Task Handles_beyond_the_per_node_limit_are_refused_until_one_closes()
    {
        var handles = new List<IMappedFile>();
        for (int i = 0; i < 3; i++)
        {
            handles.Add(await _client.OpenAsync("data.bin", access: MmapAccess.Read));
        }

        var e = await Assert.ThrowsAsync<MmapException>(() => _client.OpenAsync("data.bin", access: MmapAccess.Read));
        Assert.Equal(24, e.Errno);
        Assert.Equal(MmapErrorCode.LimitExceeded, e.Code);

        await handles[0].DisposeAsync();
        handles[0] = await _client.OpenAsync("data.bin", access: MmapAccess.Read);
        foreach (var h in handles)
        {
            await h.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_resize_past_the_file_size_limit_is_refused_and_changes_nothing()
    {
        await using var file = await _client.OpenAsync("data.bin");

        var e = await Assert.ThrowsAsync<MmapException>(() => file.ResizeAsync(2 * 1024 * 1024));
        Assert.Equal(MmapErrorKind.ValueError, e.Kind);
        Assert.Contains("max-file-size", e.Message);
        Assert.Equal(256 * 1024, new FileInfo(Path.Combine(_root, "data.bin")).Length);
    }

    [Fact]
    public async Task A_read_only_export_refuses_writable_opens_and_writes()
    {
        var denied = await Assert.ThrowsAsync<MmapException>(() => _readOnlyClient.OpenAsync("data.bin"));
        Assert.Equal("PermissionError", denied.PythonTypeName);

        await using var reader = await _readOnlyClient.OpenAsync("data.bin", access: MmapAccess.Read);
        var write = await Assert.ThrowsAsync<MmapException>(() => reader.WriteAtAsync(0, new byte[] { 1 }));
        Assert.Equal(MmapErrorKind.TypeError, write.Kind);
        var resize = await Assert.ThrowsAsync<MmapException>(() => reader.ResizeAsync(10));
        Assert.Equal(MmapErrorKind.TypeError, resize.Kind);
        Assert.Equal(new byte[4], await reader.ReadAtAsync(0, 4));
    }
}
