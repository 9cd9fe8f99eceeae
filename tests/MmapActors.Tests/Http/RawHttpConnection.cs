using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MmapActors.Tests.Http;

/// <summary>A client that speaks HTTP/1.1 by hand over one TCP connection, so a test can do what HttpClient never does:
/// send half a body and stop, or hold a connection open without a request.</summary>
internal sealed class RawHttpConnection : IAsyncDisposable
{
    private readonly TcpClient _tcp = new() { NoDelay = true };
    private NetworkStream _stream = null!;

    private RawHttpConnection()
    {
    }

    public static async Task<RawHttpConnection> ConnectAsync(int port)
    {
        var connection = new RawHttpConnection();
        await connection._tcp.ConnectAsync(IPAddress.Loopback, port);
        connection._stream = connection._tcp.GetStream();
        return connection;
    }

    /// <summary>Sends a request line and headers (each "Name: value"), and the blank line that ends them.</summary>
    public Task SendHeadAsync(string requestLine, params string[] headers) =>
        SendAsync(Encoding.ASCII.GetBytes($"{requestLine}\r\nHost: test\r\n{string.Concat(headers.Select(h => h + "\r\n"))}\r\n"));

    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>Reads a response's status line and headers (not its body); null when the server closed the connection
    /// (or reset it) before answering.</summary>
    public async Task<RawHttpResponse?> ReadHeadAsync()
    {
        var head = new List<byte>();
        var one = new byte[1];
        try
        {
            while (head.Count < 4 || head[^4] != '\r' || head[^3] != '\n' || head[^2] != '\r' || head[^1] != '\n')
            {
                if (await _stream.ReadAsync(one) == 0)
                {
                    return null;
                }
                head.Add(one[0]);
            }
        }
        catch (IOException)
        {
            return null;
        }
        string[] lines = Encoding.Latin1.GetString([.. head]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        return new RawHttpResponse(int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), headers);
    }

    /// <summary>Reads a body of <paramref name="length"/> bytes.</summary>
    public async Task<byte[]> ReadBodyAsync(int length)
    {
        var body = new byte[length];
        await _stream.ReadExactlyAsync(body);
        return body;
    }

    /// <summary>Reads and discards until the server closes the connection (or resets it).</summary>
    public async Task WaitClosedAsync()
    {
        var buffer = new byte[4096];
        try
        {
            while (await _stream.ReadAsync(buffer) > 0)
            {
            }
        }
        catch (IOException)
        {
        }
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>A response's status code and headers.</summary>
internal sealed record RawHttpResponse(int Status, IReadOnlyDictionary<string, string> Headers);
