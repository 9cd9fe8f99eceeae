using MmapActors.Remote;
using MmapActors.Tests.Diagnostics;

namespace MmapActors.Tests.Http;

/// <summary>Our remote client moves streamed ranges over the data plane when the server offers one, with the same
/// results and errors as over actor chunks, and falls back to actor chunks when it cannot use it.</summary>
public sealed class DataPlaneClientTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("mmap-http-client-").FullName;
    private readonly byte[] _data = new byte[3_000_017];
    private MmapServer _server = null!;
    private MmapClient _client = null!;

    public async Task InitializeAsync()
    {
        new Random(3).NextBytes(_data);
        await File.WriteAllBytesAsync(Path.Combine(_root, "data.bin"), _data);
        _server = await MmapServer.StartAsync(new MmapServerOptions(_root, Port: 0, HttpPort: MmapServerOptions.AnyHttpPort, Config: "akka.loglevel = WARNING"));
        _client = await MmapRemote.ConnectAsync(_server.Address.ToString());
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task ReadRangeAsync_streams_over_one_HTTP_request_byte_identical()
    {
        await using var file = await _client.OpenAsync("data.bin", access: MmapAccess.Read);
        long before = _server.DataPlane!.RequestsHandled;
        var sink = new MemoryStream();
        long reported = 0;

        long moved = await file.ReadRangeAsync(123, 2_900_000, sink, new Progress<long>(n => Interlocked.Exchange(ref reported, n)));

        Assert.Equal(2_900_000, moved);
        Assert.Equal(_data[123..2_900_123], sink.ToArray());
        Assert.Equal(before + 1, _server.DataPlane.RequestsHandled);
    }

    [Fact]
    public async Task WriteRangeAsync_inside_the_file_goes_over_HTTP_and_lands_byte_identical()
    {
        await File.WriteAllBytesAsync(Path.Combine(_root, "target.bin"), new byte[_data.Length]);
        await using var file = await _client.OpenAsync("target.bin");
        long before = _server.DataPlane!.RequestsHandled;

        long moved = await file.WriteRangeAsync(0, new MemoryStream(_data));

        Assert.Equal(_data.Length, moved);
        Assert.Equal(before + 1, _server.DataPlane.RequestsHandled);
        Assert.Equal(_data, await ReadAllAsync(file));
    }

    [Fact]
    public async Task A_write_from_a_pipe_that_ends_before_its_count_stops_where_the_pipe_ends()
    {
        // As mmapctl put streams standard input: a count that is only an upper bound, from a source that cannot say its
        // length. Over HTTP it was sent with the count as its Content-Length, and failed when the pipe ended early.
        await File.WriteAllBytesAsync(Path.Combine(_root, "piped.bin"), new byte[_data.Length]);
        await using var file = await _client.OpenAsync("piped.bin");
        var pipe = new GatedStream(new MemoryStream(_data, 0, 1_000_000));
        pipe.Open();

        long moved = await file.WriteRangeAsync(0, pipe, count: _data.Length);

        Assert.Equal(1_000_000, moved);
        Assert.Equal(_data[..1_000_000], (await ReadAllAsync(file))[..1_000_000]);
    }

    [Fact]
    public async Task A_seekable_source_shorter_than_its_count_goes_over_HTTP_with_the_bytes_it_holds()
    {
        await File.WriteAllBytesAsync(Path.Combine(_root, "short-source.bin"), new byte[_data.Length]);
        await using var file = await _client.OpenAsync("short-source.bin");
        long before = _server.DataPlane!.RequestsHandled;

        long moved = await file.WriteRangeAsync(0, new MemoryStream(_data, 0, 1_000_000), count: _data.Length);

        Assert.Equal(1_000_000, moved);
        Assert.Equal(before + 1, _server.DataPlane.RequestsHandled);
        Assert.Equal(_data[..1_000_000], (await ReadAllAsync(file))[..1_000_000]);
    }

    [Fact]
    public async Task A_write_past_the_end_keeps_the_actor_protocol_and_its_error()
    {
        await File.WriteAllBytesAsync(Path.Combine(_root, "short.bin"), new byte[1000]);
        await using var file = await _client.OpenAsync("short.bin");
        long before = _server.DataPlane!.RequestsHandled;

        var e = await Assert.ThrowsAsync<MmapException>(() => file.WriteRangeAsync(900, new MemoryStream(new byte[200])));

        Assert.Equal(MmapErrorKind.ValueError, e.Kind);
        Assert.Equal(before, _server.DataPlane.RequestsHandled);
        Assert.Equal(1000, new FileInfo(Path.Combine(_root, "short.bin")).Length);
    }

    [Fact]
    public async Task A_read_only_handle_writes_over_actors_and_is_refused_as_before()
    {
        await using var file = await _client.OpenAsync("data.bin", access: MmapAccess.Read);

        var e = await Assert.ThrowsAsync<MmapException>(() => file.WriteRangeAsync(0, new MemoryStream(new byte[10])));

        Assert.Equal(MmapErrorKind.TypeError, e.Kind);
        Assert.Equal(_data, await File.ReadAllBytesAsync(Path.Combine(_root, "data.bin")));
    }

    [Fact]
    public async Task A_server_without_a_data_plane_streams_over_actor_chunks()
    {
        await using var plain = await MmapServer.StartAsync(new MmapServerOptions(_root, Port: 0, Config: "akka.loglevel = WARNING"));
        await using var client = await MmapRemote.ConnectAsync(plain.Address.ToString());
        await using var file = await client.OpenAsync("data.bin", access: MmapAccess.Read);
        var sink = new MemoryStream();

        Assert.Null(plain.DataPlane);
        Assert.Equal(_data.Length, await file.ReadRangeAsync(0, _data.Length, sink));
        Assert.Equal(_data, sink.ToArray());
    }

    [Fact]
    public async Task A_copy_on_write_handle_never_uses_the_data_plane()
    {
        await using var file = await _client.OpenAsync("data.bin", access: MmapAccess.Copy);
        await file.WriteAtAsync(0, new byte[] { 42 });
        long before = _server.DataPlane!.RequestsHandled;
        var sink = new MemoryStream();

        await file.ReadRangeAsync(0, 10, sink);

        Assert.Equal(42, sink.ToArray()[0]); // the private page, which the file does not have
        Assert.Equal(before, _server.DataPlane.RequestsHandled);
    }

    private static async Task<byte[]> ReadAllAsync(IMappedFile file)
    {
        var sink = new MemoryStream();
        await file.ReadRangeAsync(0, await file.LengthAsync(), sink);
        return sink.ToArray();
    }
}
