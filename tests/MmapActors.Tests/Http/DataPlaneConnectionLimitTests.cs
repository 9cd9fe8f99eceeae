using MmapActors.Remote;

namespace MmapActors.Tests.Http;

/// <summary>mmap.http.max-connections: idle keep-alive connections cannot take the server's descriptors; the one past
/// the limit is closed unanswered, and a slot freed by a client that leaves is served again.</summary>
public sealed class DataPlaneConnectionLimitTests : IAsyncLifetime
{
    private const int Limit = 2;
    private readonly string _root = Directory.CreateTempSubdirectory("mmap-http-conn-").FullName;
    private MmapServer _server = null!;

    private int Port => _server.DataPlane!.BaseUrl.Port;

    public async Task InitializeAsync()
    {
        await File.WriteAllBytesAsync(Path.Combine(_root, "a.bin"), new byte[100]);
        _server = await MmapServer.StartAsync(new MmapServerOptions(_root, Port: 0, HttpPort: MmapServerOptions.AnyHttpPort,
            Config: $"akka.loglevel = WARNING\nmmap.http.max-connections = {Limit}\nmmap.http.request-headers-timeout = 1s"));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task With_the_limit_held_by_idle_keep_alive_connections_one_more_is_closed_and_a_freed_slot_serves_again()
    {
        var idle = new List<RawHttpConnection>();
        try
        {
            for (int i = 0; i < Limit; i++)
            {
                var connection = await RawHttpConnection.ConnectAsync(Port);
                idle.Add(connection);
                Assert.Equal(200, await GetAsync(connection)); // answered, and kept open (HTTP/1.1 keep-alive)
            }

            await using (var refused = await RawHttpConnection.ConnectAsync(Port))
            {
                await refused.SendHeadAsync("GET /a.bin HTTP/1.1");
                Assert.Null(await refused.ReadHeadAsync()); // closed without an answer
            }
            foreach (var connection in idle)
            {
                Assert.Equal(200, await GetAsync(connection)); // the ones inside the limit still serve
            }

            await idle[0].DisposeAsync();
            idle.RemoveAt(0);
            // The server frees the slot when it sees the close: poll until a new connection is served.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
            while (true)
            {
                await using var again = await RawHttpConnection.ConnectAsync(Port);
                await again.SendHeadAsync("GET /a.bin HTTP/1.1");
                if (await again.ReadHeadAsync() is { } answer)
                {
                    Assert.Equal(200, answer.Status);
                    break;
                }
                Assert.True(DateTime.UtcNow < deadline, "no connection was served after one of the idle ones closed");
                await Task.Delay(50);
            }
        }
        finally
        {
            foreach (var connection in idle)
            {
                await connection.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_client_that_trickles_its_headers_is_closed_after_the_headers_timeout()
    {
        await using var slow = await RawHttpConnection.ConnectAsync(Port);
        await slow.SendAsync("GET /a.bin HTTP/1.1\r\nHost: x\r\n"u8.ToArray()); // and never the blank line
        var started = DateTime.UtcNow;

        var answer = await slow.ReadHeadAsync().WaitAsync(TimeSpan.FromSeconds(15));

        Assert.True(answer is null || answer.Status == 408, $"answered {answer?.Status}");
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(0.9), "closed before the timeout");
    }

    private static async Task<int> GetAsync(RawHttpConnection connection)
    {
        await connection.SendHeadAsync("GET /a.bin HTTP/1.1");
        var answer = await connection.ReadHeadAsync();
        Assert.NotNull(answer);
        await connection.ReadBodyAsync(int.Parse(answer.Headers["Content-Length"], System.Globalization.CultureInfo.InvariantCulture));
        return answer.Status;
    }
}
