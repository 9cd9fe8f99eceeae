using System.Net;
using MmapActors.Remote;

namespace MmapActors.Tests.Http;

/// <summary>The data plane's cached handles: closed once idle (so the owner can close the file), reopened on demand,
/// and a file replaced under its name is served as the new file.</summary>
public sealed class DataPlaneHandleCacheTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("mmap-http-cache-").FullName;
    private MmapServer _server = null!;
    private MmapClient _local = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync()
    {
        await File.WriteAllBytesAsync(Path.Combine(_root, "a.bin"), Enumerable.Repeat((byte)1, 10_000).ToArray());
        _server = await MmapServer.StartAsync(new MmapServerOptions(_root, Port: 0, HttpPort: MmapServerOptions.AnyHttpPort,
            Config: "akka.loglevel = WARNING\nmmap.http.handle-idle-timeout = 200ms"));
        _local = MmapClient.Create(_server.System);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _local.DisposeAsync();
        await _server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task An_idle_handle_is_closed_and_the_next_request_opens_a_new_one()
    {
        var url = new Uri(_server.DataPlane!.BaseUrl, "a.bin");
        Assert.Equal(10_000, (await _http.GetByteArrayAsync(url)).Length);
        Assert.Equal(1, (await _local.GetStatsAsync()).OpenHandles);

        await AwaitAsync(async () => (await _local.GetStatsAsync()).OpenHandles == 0, TimeSpan.FromSeconds(10));

        Assert.Equal(10_000, (await _http.GetByteArrayAsync(url)).Length);
    }

    [Fact]
    public async Task A_file_replaced_by_a_rename_is_served_as_the_new_file_within_a_second()
    {
        var url = new Uri(_server.DataPlane!.BaseUrl, "a.bin");
        Assert.Equal(1, (await _http.GetByteArrayAsync(url))[0]);
        string replacement = Path.Combine(_root, "a.tmp");
        await File.WriteAllBytesAsync(replacement, Enumerable.Repeat((byte)2, 20_000).ToArray());
        File.Move(replacement, Path.Combine(_root, "a.bin"), overwrite: true);

        await AwaitAsync(async () =>
        {
            byte[] body = await _http.GetByteArrayAsync(url);
            return body.Length == 20_000 && body[0] == 2 && body[^1] == 2;
        }, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_deleted_file_is_404_at_once()
    {
        string path = Path.Combine(_root, "gone.bin");
        await File.WriteAllBytesAsync(path, new byte[100]);
        var url = new Uri(_server.DataPlane!.BaseUrl, "gone.bin");
        Assert.Equal(100, (await _http.GetByteArrayAsync(url)).Length);

        File.Delete(path);

        using var response = await _http.GetAsync(url);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    /// <summary>Polls a condition on the server's own clock (a timer-driven eviction has no message to wait for).</summary>
    private static async Task AwaitAsync(Func<Task<bool>> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"the condition did not hold within {within}");
            await Task.Delay(50);
        }
    }
}
