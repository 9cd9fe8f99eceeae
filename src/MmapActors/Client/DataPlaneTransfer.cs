using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using Akka.Actor;
using MmapActors.Protocol;

namespace MmapActors.Client;

/// <summary>
/// Moves the bytes of a remote client's ReadRangeAsync/WriteRangeAsync over the server's HTTP data plane instead of
/// actor chunks: asks the server's supervisor for a single-use ticket (<see cref="OpenDataPlane"/>), then does one
/// <c>GET</c> with a <c>Range</c> or one <c>PUT</c> with a <c>Content-Range</c>. Whenever the data plane cannot be used
/// before a byte has moved (the server offers none, refuses the ticket, cannot be reached), it returns null and the
/// caller uses actor chunks, so the API and its errors stay those of the actor protocol. A failure after bytes moved is
/// raised: the error the server reported (<c>Mmap-Error</c>/<c>Mmap-Errno</c>, the same <see cref="MmapException"/>),
/// or an <see cref="IOException"/> when the connection broke.
/// </summary>
internal sealed class DataPlaneTransfer : IDisposable
{
    private const string KindHeader = "Mmap-Error";
    private const string ErrnoHeader = "Mmap-Errno";
    private const int BufferSize = 256 << 10;

    private readonly IActorRef _supervisor;
    private readonly TimeSpan _timeout;
    private readonly HttpClient _http;
    private volatile bool _unavailable;

    private DataPlaneTransfer(IActorRef supervisor, TimeSpan timeout)
    {
        _supervisor = supervisor;
        _timeout = timeout;
        _http = new HttpClient(new SocketsHttpHandler
        {
            // Below the server's keep-alive timeout (mmap.http.keep-alive-timeout, 15 s): a connection is never reused
            // just as the server closes it.
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(10),
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            UseProxy = false,
        })
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan, // a stream may take long; each step has its own bound
        };
    }

    /// <summary>A transfer for a client of <paramref name="supervisor"/>, or null when the supervisor is local (local
    /// clients already read and write the maps directly).</summary>
    public static DataPlaneTransfer? For(IActorRef supervisor, TimeSpan timeout) =>
        supervisor.Path.Address.HasLocalScope ? null : new DataPlaneTransfer(supervisor, timeout);

    /// <summary>Reads [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="count"/>) of
    /// <paramref name="path"/> into <paramref name="destination"/>; null: not done, use actor chunks.</summary>
    public async Task<long?> TryReadAsync(string path, long offset, long count, Stream destination, IProgress<long>? progress,
        CancellationToken cancellationToken)
    {
        if (await TicketAsync(path, offset, count, write: false, cancellationToken).ConfigureAwait(false) is not { } ticket)
        {
            return null;
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, UrlOf(ticket, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("MmapTicket", ticket.Ticket);
        request.Headers.Range = new RangeHeaderValue(offset, offset + count - 1);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            return null; // unreachable (a firewall, another host name): the actor protocol still works
        }
        using (response)
        {
            var range = response.Content.Headers.ContentRange;
            if (response.StatusCode != HttpStatusCode.PartialContent || range?.From != offset || range.To != offset + count - 1)
            {
                return null;
            }
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            try
            {
                long moved = 0;
                while (moved < count)
                {
                    int n = await body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count - moved)), cancellationToken).ConfigureAwait(false);
                    if (n == 0)
                    {
                        throw new IOException($"the data plane closed the connection after {moved} of {count} bytes of {path}");
                    }
                    await destination.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                    moved += n;
                    progress?.Report(moved);
                }
                return moved;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>Writes <paramref name="count"/> bytes of <paramref name="source"/> at <paramref name="offset"/> of
    /// <paramref name="path"/> (a range inside the file: the caller checked); null: not done and nothing was read from
    /// <paramref name="source"/>, use actor chunks.</summary>
    public async Task<long?> TryWriteAsync(string path, long offset, Stream source, long count, IProgress<long>? progress,
        CancellationToken cancellationToken)
    {
        if (await TicketAsync(path, offset, count, write: true, cancellationToken).ConfigureAwait(false) is not { } ticket)
        {
            return null;
        }
        var body = new CountingStream(source, count, progress);
        using var request = new HttpRequestMessage(HttpMethod.Put, UrlOf(ticket, path)) { Content = new StreamContent(body, BufferSize) };
        request.Headers.Authorization = new AuthenticationHeaderValue("MmapTicket", ticket.Ticket);
        request.Content.Headers.ContentLength = count;
        request.Content.Headers.ContentRange = new ContentRangeHeaderValue(offset, offset + count - 1);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException) when (body.Moved == 0)
        {
            return null;
        }
        using (response)
        {
            if (response.IsSuccessStatusCode && body.Moved == count)
            {
                return count;
            }
            if (body.Moved == 0)
            {
                return null;
            }
            throw await ErrorOfAsync(response, path, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _http.Dispose();

    /// <summary>The route of one handle: its file's path on the server, when the handle maps the file from byte 0
    /// without private pages (so a map offset is a file offset and the file holds what the map shows); otherwise null.</summary>
    public Route? RouteFor(MapOptions options, MmapAccess access) =>
        options.Path is { } path && options.Offset == 0 && access != MmapAccess.Copy
            ? new Route(this, path, Writable: access != MmapAccess.Read)
            : null;

    /// <summary>How a handle's ranges reach the data plane.</summary>
    /// <param name="Transfer">The client's transfer.</param>
    /// <param name="Path">The file, as the handle was opened.</param>
    /// <param name="Writable">Whether the handle may write (a read-only handle's writes stay on actors, which refuse them).</param>
    public sealed record Route(DataPlaneTransfer Transfer, string Path, bool Writable);

    /// <summary>A ticket, or null when the data plane is not on offer for this transfer.</summary>
    private async Task<DataPlaneTicket?> TicketAsync(string path, long offset, long count, bool write, CancellationToken cancellationToken)
    {
        if (_unavailable || count <= 0)
        {
            return null;
        }
        MapReply reply;
        try
        {
            reply = await _supervisor.Ask<MapReply>(new OpenDataPlane(path, offset, count, write), _timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            return null;
        }
        if (reply is MmapError { Errno: 95 })
        {
            _unavailable = true; // this server has no data plane: stop asking
        }
        return reply as DataPlaneTicket;
    }

    private static Uri UrlOf(DataPlaneTicket ticket, string path) =>
        new(ticket.BaseUrl, string.Join('/', path.Split('/').Select(Uri.EscapeDataString)));

    private static async Task<Exception> ErrorOfAsync(HttpResponseMessage response, string path, CancellationToken cancellationToken)
    {
        string message = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        string? kind = response.Headers.TryGetValues(KindHeader, out var k) ? k.FirstOrDefault() : null;
        string? errno = response.Headers.TryGetValues(ErrnoHeader, out var e) ? e.FirstOrDefault() : null;
        if (Enum.TryParse<MmapErrorKind>(kind, out var parsed) && Enum.IsDefined(parsed))
        {
            return new MmapException(parsed, message.TrimEnd('\n'), int.TryParse(errno, out int n) ? n : null);
        }
        return new IOException($"the data plane answered {(int)response.StatusCode} to a write of {path}: {message.TrimEnd('\n')}");
    }

    /// <summary>Reads at most a fixed number of bytes of the caller's stream, counting them (for progress, and to know
    /// whether a refused upload consumed any).</summary>
    private sealed class CountingStream(Stream inner, long limit, IProgress<long>? progress) : Stream
    {
        public long Moved { get; private set; }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => limit;
        public override long Position { get => Moved; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = inner.Read(buffer[..(int)Math.Min(buffer.Length, limit - Moved)]);
            Advance(n);
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int n = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, limit - Moved)], cancellationToken).ConfigureAwait(false);
            Advance(n);
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private void Advance(int n)
        {
            if (n > 0)
            {
                Moved += n;
                progress?.Report(Moved);
            }
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
