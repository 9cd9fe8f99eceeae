using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Headers;
using Microsoft.Net.Http.Headers;
using Microsoft.Win32.SafeHandles;
using MmapActors.Actors;
using MmapActors.Client;
using MmapActors.DataPlane;
using MmapActors.Diagnostics;
using MmapActors.Native;

namespace MmapActors.Remote.Http;

/// <summary>
/// The data plane's requests: <c>GET</c>/<c>HEAD</c> of a file or one range of it, <c>PUT</c> of a whole file or of a
/// range (<c>Content-Range</c>), <c>POST ?flush</c>. Paths are resolved by <see cref="ServedRoot"/> (the same sandbox
/// as the actor protocol) and every byte is read or written by the file's owner, one owner turn per chunk of
/// <c>mmap.http.chunk-size</c> bytes, through a cached local handle (<see cref="HandleCache"/>).
/// </summary>
internal sealed class DataPlaneHandler
{
    private const string OctetStream = "application/octet-stream";

    private readonly ServedRoot _root;
    private readonly MmapClient _client;
    private readonly HandleCache _handles;
    private readonly TicketAuthority _tickets;
    private readonly DataPlaneAuth _auth;
    private readonly int _chunkSize;
    private readonly bool _inline;
    private readonly long _maxFileSize;
    private readonly bool _anonymousWrites;
    private readonly BodyPace _pace;
    private readonly StripedCounter _requests = new(); // raised by every I/O thread, once per request
    private readonly Lock _growingEmpty = new(); // held for one open, fstat and ftruncate: empty files only (GrowEmptyAsync)

    public DataPlaneHandler(ServedRoot root, MmapClient client, HandleCache handles, TicketAuthority tickets, DataPlaneAuth auth,
        int chunkSize, long maxFileSize, bool inline, bool anonymousWrites, BodyPace pace)
    {
        _anonymousWrites = anonymousWrites;
        _pace = pace;
        _inline = inline;
        _root = root;
        _client = client;
        _handles = handles;
        _tickets = tickets;
        _auth = auth;
        _chunkSize = chunkSize;
        _maxFileSize = maxFileSize > 0 ? maxFileSize : long.MaxValue;
    }

    /// <summary>Requests handled so far (tests prove with it which path a transfer took).</summary>
    public long Requests => _requests.Value;

    public async Task HandleAsync(HttpContext context)
    {
        _requests.Increment();
        var request = context.Request;
        var response = context.Response;
        try
        {
            var decision = _auth.Authenticate(request);
            if (!decision.Allowed)
            {
                DataPlaneAuth.Challenge(response);
                await DataPlaneErrors.WriteAsync(response, StatusCodes.Status401Unauthorized, decision.Refusal!).ConfigureAwait(false);
                return;
            }
            // Kestrel has decoded the path (except %2F) and removed dot segments; the kernel (openat2) does the rest.
            string path = (request.Path.Value ?? "/").TrimStart('/');
            if (ServedRoot.IsTemporaryPath(path))
            {
                // An unfinished upload belongs to whoever makes it (an HTTP PUT, a session), never to this request.
                throw MmapException.FromErrno(2, ServedRoot.Quote(path));
            }
            string method = request.Method;
            if (decision.Anonymous && !_anonymousWrites && (HttpMethods.IsPut(method) || HttpMethods.IsPost(method)))
            {
                // Loopback is no boundary (every local user and process reaches it): writing needs a credential unless the
                // operator turned anonymous writes on.
                DataPlaneAuth.Challenge(response);
                await DataPlaneErrors.WriteAsync(response, StatusCodes.Status401Unauthorized,
                    "[Errno 13] Permission denied: anonymous writes are off (mmap.http.anonymous-writes): send Authorization: Bearer <token> or a ticket",
                    MmapErrorKind.OSError, 13).ConfigureAwait(false);
                return;
            }
            if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method))
            {
                await ReadAsync(context, path, decision.Ticket, HttpMethods.IsHead(method)).ConfigureAwait(false);
            }
            else if (HttpMethods.IsPut(method))
            {
                await WriteAsync(context, path, decision.Ticket).ConfigureAwait(false);
            }
            else if (HttpMethods.IsPost(method) && request.Query.ContainsKey("flush"))
            {
                await FlushAsync(context, path, decision.Ticket).ConfigureAwait(false);
            }
            else
            {
                response.Headers.Allow = "GET, HEAD, PUT, POST";
                await DataPlaneErrors.WriteAsync(response, StatusCodes.Status405MethodNotAllowed,
                    $"{method} is not supported: use GET, HEAD, PUT, or POST ?flush").ConfigureAwait(false);
            }
        }
        catch (MmapException e) when (!response.HasStarted)
        {
            await DataPlaneErrors.WriteAsync(response, e).ConfigureAwait(false);
        }
        catch (TimeoutException e) when (!response.HasStarted)
        {
            await DataPlaneErrors.WriteAsync(response, StatusCodes.Status503ServiceUnavailable, e.Message).ConfigureAwait(false);
        }
        catch (Exception e) when (e is MmapException or TimeoutException)
        {
            // The status line is gone: cut the connection so the client sees a short body, never a complete-looking one.
            context.Abort();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // GET / HEAD
    // ---------------------------------------------------------------------------------------------------------

    private async Task ReadAsync(HttpContext context, string path, string? ticket, bool head)
    {
        var response = context.Response;
        using var lease = _handles.Acquire(path);
        long size = lease.Identity.Size;
        var validators = lease.Validators(static identity => new FileValidators(identity));
        response.Headers.ETag = validators.ETagText;
        response.Headers.LastModified = validators.LastModifiedText;

        var range = ByteRange.Requested(context.Request, validators, out bool notModified);
        if (range is null)
        {
            // Advertised where a client learns whether it may ask for ranges (a whole file, a 304, a 416); a 206 is a range
            // already, and, as nginx does, says nothing more (one header fewer to write and to parse per range).
            response.Headers.AcceptRanges = "bytes";
        }
        if (notModified)
        {
            if (ticket is not null && !await RedeemAsync(context, ticket, path, 0, 0, write: false).ConfigureAwait(false))
            {
                return;
            }
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        long start = 0, count = size;
        if (range is { } asked && !asked.TryResolve(size, out start, out count))
        {
            response.Headers.AcceptRanges = "bytes";
            response.Headers.ContentRange = $"bytes */{size}";
            await DataPlaneErrors.WriteAsync(response, StatusCodes.Status416RangeNotSatisfiable,
                $"range {asked} is not satisfiable: the file has {size} bytes").ConfigureAwait(false);
            return;
        }
        if (ticket is not null && !await RedeemAsync(context, ticket, path, start, count, write: false).ConfigureAwait(false))
        {
            return;
        }
        if (range is not null)
        {
            response.StatusCode = StatusCodes.Status206PartialContent;
            // Formatted on the stack (the plain interpolation rents and returns a pooled buffer): once per request.
            response.Headers.ContentRange = string.Create(CultureInfo.InvariantCulture, stackalloc char[64], $"bytes {start}-{start + count - 1}/{size}");
        }
        response.ContentType = OctetStream;
        response.ContentLength = count;
        if (head || count == 0)
        {
            return;
        }
        await CopyOutAsync(context, lease, start, count).ConfigureAwait(false);
    }

    /// <summary>
    /// Streams [start, start + count) to the response: each chunk is read by the owner straight into Kestrel's output
    /// buffer (one owner turn, one copy) and flushed, so at most a chunk or two per request is held in memory. A chunk
    /// runs on the calling thread when the owner is idle (its turn, <c>FileTurn</c>), else through the owner's mailbox.
    /// </summary>
    private async Task CopyOutAsync(HttpContext context, HandleCache.Lease lease, long start, long count)
    {
        var cancellation = context.RequestAborted;
        var writer = context.Response.BodyWriter;
        var file = await lease.GetFileAsync().ConfigureAwait(false);
        if (_inline && count > _chunkSize)
        {
            // The socket's I/O thread serves other connections too: it copies at most one chunk per request, and a longer
            // range continues on the thread pool.
            await Task.Yield();
        }
        if (file is MappedFile { ReadsInlineNow: true })
        {
            // Headers first: a body written before them is copied once more behind them (Kestrel keeps it aside until it
            // knows the headers). Only when the chunk will most likely be read inline: an inline read fails only if the
            // file was cut under it, which ends the response by aborting it anyway, while a read through a busy owner's
            // mailbox may time out, and then the status can still say so (503).
            await context.Response.StartAsync(cancellation).ConfigureAwait(false);
        }
        bool renewed = false;
        while (count > 0)
        {
            int want = (int)Math.Min(count, _chunkSize);
            var memory = writer.GetMemory(want)[..want];
            int read = await ReadChunkAsync(file, start, memory, cancellation).ConfigureAwait(false);
            if (read < want && !renewed)
            {
                // The handle maps less than the file holds now (it grew outside this server): map it again, once, for this
                // request and every later one.
                renewed = true;
                file = await lease.RenewFileAsync().ConfigureAwait(false);
                read += await ReadChunkAsync(file, start + read, memory[read..], cancellation).ConfigureAwait(false);
            }
            if (read < want)
            {
                // The file shrank under the request: what was promised (Content-Length) cannot be sent.
                writer.Advance(read);
                await writer.FlushAsync(cancellation).ConfigureAwait(false);
                context.Abort();
                return;
            }
            writer.Advance(read);
            start += read;
            count -= read;
            var flushed = await writer.FlushAsync(cancellation).ConfigureAwait(false);
            if (flushed.IsCanceled || flushed.IsCompleted)
            {
                return; // the client went away
            }
        }
    }

    /// <summary>
    /// One chunk, in one owner turn: on this thread when the owner is idle (no thread hop; every HTTP request is its own
    /// caller and waits for each chunk before the next, so it never overtakes a request of its own), else through the
    /// owner's mailbox. Either way the chunk is atomic with respect to every other operation on the file.
    /// </summary>
    private static ValueTask<int> ReadChunkAsync(IMappedFile file, long offset, Memory<byte> destination, CancellationToken cancellationToken) =>
        file is MappedFile local && local.TryReadAtInline(offset, destination, cancellationToken, out int read)
            ? ValueTask.FromResult(read)
            : new ValueTask<int>(file.ReadAtAsync(offset, destination, cancellationToken));

    // ---------------------------------------------------------------------------------------------------------
    // PUT
    // ---------------------------------------------------------------------------------------------------------

    private async Task WriteAsync(HttpContext context, string path, string? ticket)
    {
        var request = context.Request;
        var response = context.Response;
        if (_root.ReadOnly)
        {
            throw MmapException.FromErrno(13, $"'{path}' (the served root is read-only)");
        }
        if (request.ContentLength is not { } count)
        {
            await DataPlaneErrors.WriteAsync(response, StatusCodes.Status411LengthRequired, "PUT needs a Content-Length").ConfigureAwait(false);
            return;
        }
        long start = 0;
        long? total = null;
        bool whole = true;
        string? contentRange = request.Headers.ContentRange;
        if (!string.IsNullOrEmpty(contentRange))
        {
            if (!ContentRangeHeaderValue.TryParse(contentRange, out var parsed) || !parsed.HasRange ||
                !string.Equals(parsed.Unit.Value, "bytes", StringComparison.OrdinalIgnoreCase) ||
                parsed.To!.Value - parsed.From!.Value + 1 != count || (parsed.Length is { } l && l < parsed.To.Value + 1))
            {
                await DataPlaneErrors.WriteAsync(response, StatusCodes.Status400BadRequest,
                    $"Content-Range '{contentRange}' must be 'bytes FIRST-LAST/TOTAL' (or /*) covering exactly the Content-Length of {count} bytes").ConfigureAwait(false);
                return;
            }
            whole = false;
            start = parsed.From.Value;
            total = parsed.Length;
        }
        // Compared before adding: a Content-Range near long.MaxValue would make start + count overflow past the check.
        if (count > _maxFileSize - start || total > _maxFileSize)
        {
            await DataPlaneErrors.WriteAsync(response, StatusCodes.Status413PayloadTooLarge,
                $"the file would be {Math.Max((decimal)start + count, total ?? 0)} bytes, more than mmap.limits.max-file-size ({_maxFileSize})",
                MmapErrorKind.ValueError).ConfigureAwait(false);
            return;
        }
        // The ticket must be for this operation and cover every byte the request may touch: a range ticket writes in place
        // (never replacing, truncating, or growing the file past its range), and only a whole-file ticket replaces. The
        // body's bytes are all a request touches: a Content-Range total grows nothing (PatchAsync).
        if (ticket is not null && !await RedeemAsync(context, ticket, path, start, count, write: true, replace: whole).ConfigureAwait(false))
        {
            return;
        }

        var (created, validators) = whole
            ? await ReplaceAsync(context, path, count).ConfigureAwait(false)
            : await PatchAsync(context, path, start, count).ConfigureAwait(false);
        response.Headers.ETag = validators.ETagText;
        response.Headers.LastModified = validators.LastModifiedText;
        response.StatusCode = created ? StatusCodes.Status201Created : StatusCodes.Status204NoContent;
    }

    /// <summary>
    /// A whole-file <c>PUT</c>, as <c>mmapctl put</c> does it: the body goes to a new file under a temporary name next to
    /// the target (<see cref="ServedRoot.TemporaryNameFor"/>), written through its own owner, flushed, and renamed over the
    /// target (<see cref="Protocol.CommitFile"/>) only once complete. Readers see the old file until the rename and the
    /// whole new one after it; a body that fails half way (the client goes away or stalls, the disk fills, the server
    /// stops) is discarded and the target is untouched. The temporary file grows with the body, at most doubling (so
    /// O(log n) resizes), never to more than twice what arrived: a client that announces a large Content-Length and sends
    /// nothing reserves no disk.
    /// </summary>
    private async Task<(bool Created, FileValidators Validators)> ReplaceAsync(HttpContext context, string path, long count)
    {
        var cancellation = context.RequestAborted;
        bool created = false;
        try
        {
            Stat(path, writable: true); // the sandbox's verdict on the target (a directory, a FIFO, outside the root...)
        }
        catch (MmapException e) when (e.Errno == 2)
        {
            created = true;
        }
        string temporary;
        try
        {
            temporary = ServedRoot.TemporaryNameFor(path);
        }
        catch (ArgumentException)
        {
            throw MmapException.FromErrno(22, $"{ServedRoot.Quote(path)} does not end in a file name");
        }

        try
        {
            // Inside the try: a request aborted while the create is in flight still has the file made, and must discard
            // it (the name is random, so a discard can only ever remove this request's file).
            await _client.CreateFileAsync(temporary, 0, cancellation).ConfigureAwait(false);
            if (count > 0)
            {
                long size = await GrowEmptyAsync(context, temporary, 0, ChunkOf(count)).ConfigureAwait(false);
                var file = await _client.OpenAsync(temporary, access: MmapAccess.Write, cancellationToken: cancellation).ConfigureAwait(false);
                await using (file.ConfigureAwait(false))
                {
                    await CopyInAsync(context, file, 0, count, size, growAhead: true).ConfigureAwait(false);
                    await file.FlushAsync(cancellationToken: cancellation).ConfigureAwait(false);
                }
            }
            var validators = Touch(temporary); // the rename keeps inode, size and time: these are the new file's validators
            // Not cancellable from here: the body is complete and flushed, so the client's departure no longer matters.
            await _client.CommitFileAsync(temporary, path).ConfigureAwait(false);
            // Served at once, not after the cache's revalidation: the next request resolves the path again.
            _handles.Invalidate(path);
            return (created, validators);
        }
        catch (Exception)
        {
            // Not cancellable by what brought us here, and bounded: leave no unfinished upload behind.
            using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _client.CommitFileAsync(temporary, path, discard: true, cleanup.Token).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The node is stopping (or the owner is gone): the temporary name is hidden and recognisable, and the
                // target was never touched.
            }
            throw;
        }
    }

    /// <summary>
    /// A range <c>PUT</c> (<c>Content-Range</c>): writes the body in place, growing the file in step with it (bytes that
    /// have arrived and end past the end grow the file to their end only, just before they are written), so a body that
    /// stops half way leaves the file no longer than the bytes written, and readers never see zeros that a slow client
    /// has not sent yet. A <c>Content-Range</c> total grows nothing: disk is taken for bytes that arrive, never for what
    /// a header claims (a 1-byte body claiming a 200 MiB total once reserved 200 MiB).
    /// </summary>
    private async Task<(bool Created, FileValidators Validators)> PatchAsync(HttpContext context, string path, long start, long count)
    {
        bool created = false;
        long size;
        bool exists = true;
        try
        {
            size = Stat(path, writable: true);
        }
        catch (MmapException e) when (e.Errno == 2)
        {
            size = 0;
            exists = false;
        }
        if (!exists)
        {
            await CreateAsync(path, 0, context.RequestAborted).ConfigureAwait(false);
            created = true;
            size = Stat(path, writable: true); // another request may have created it first
        }
        if (size == 0)
        {
            // An empty file has no map (Python cannot map one): it is grown for the first chunk, once that has arrived,
            // with ftruncate on the descriptor the sandbox opened; the owner has nothing to follow yet.
            size = await GrowEmptyAsync(context, path, start, ChunkOf(count)).ConfigureAwait(false);
        }
        using (var lease = _handles.Acquire(path))
        {
            var file = await CurrentFileAsync(lease).ConfigureAwait(false);
            await CopyInAsync(context, file, start, count, size, growAhead: false).ConfigureAwait(false);
        }
        return (created, Touch(path));
    }

    /// <summary>The cached handle, renewed first when it maps less than the file holds (the file grew outside this
    /// server): a write past its end would fail. One owner turn; only writes pay it.</summary>
    private static async Task<IMappedFile> CurrentFileAsync(HandleCache.Lease lease)
    {
        var file = await lease.GetFileAsync().ConfigureAwait(false);
        return await file.LengthAsync().ConfigureAwait(false) < lease.Identity.Size
            ? await lease.RenewFileAsync().ConfigureAwait(false)
            : file;
    }

    /// <summary>Waits for the body's first chunk of <paramref name="want"/> bytes (without taking it), then grows the
    /// file, if still empty, to the end of that chunk.</summary>
    /// <returns>The file's size now.</returns>
    private async Task<long> GrowEmptyAsync(HttpContext context, string path, long start, int want)
    {
        var reader = context.Request.BodyReader;
        long newSize = start + want;
        var peek = await _pace.ReadAtLeastAsync(context, want).ConfigureAwait(false);
        long arrived = peek.Buffer.Length;
        reader.AdvanceTo(peek.Buffer.Start); // nothing taken: CopyInAsync reads the chunk again
        if (arrived < want)
        {
            throw new MmapException(MmapErrorKind.ValueError, $"the body ended {want - arrived} bytes into its first chunk of {want}");
        }
        // The look and the ftruncate are one step for every request of this server: two requests that both saw the file
        // empty would otherwise each set its length, and the later (shorter) one cut back what the first had written.
        lock (_growingEmpty)
        {
            using var file = _root.OpenFile(path, writable: true);
            if (file.Length != 0)
            {
                return file.Length; // grown meanwhile by another request: the owner grows it further if need be
            }
            using var handle = new SafeFileHandle(file.Descriptor, ownsHandle: false);
            RandomAccess.SetLength(handle, newSize);
            return newSize;
        }
    }

    /// <summary>The most bytes of a body grown for at once: about what Kestrel buffers per request (1 MiB by default), so
    /// a fast upload resizes once per step instead of once per chunk, and a slow one still grows chunk by chunk.</summary>
    private const int GrowthStep = 1 << 20;

    private int ChunkOf(long count) => (int)Math.Min(count, Math.Min(_chunkSize, 64 << 10));

    private async Task CreateAsync(string path, long length, CancellationToken cancellationToken)
    {
        try
        {
            await _client.CreateFileAsync(path, length, cancellationToken).ConfigureAwait(false);
        }
        catch (MmapException e) when (e.Errno == 17)
        {
            // Another request created it first: carry on as an update of the file it made.
        }
    }

    /// <summary>Moves the body into <paramref name="file"/> at <paramref name="start"/>, one owner turn per chunk of at most
    /// 64 KiB (none in the large object heap), each copied into one pooled array that the request reuses (a power of two,
    /// as the pool hands out, so full chunks are exact arrays for the owner): a chunk is answered (run inline or by the
    /// owner) before the next is written. Growth follows the bytes in hand: when what has arrived (whole chunks, at most
    /// <see cref="GrowthStep"/>) ends past <paramref name="size"/>, the file is first grown through the owner to the end of
    /// those bytes (grow-only: <see cref="Protocol.GrowTo"/>, so concurrent requests never cut each other's growth back), or with
    /// <paramref name="growAhead"/> (a file nobody else sees yet) with a plain resize to up to twice its size, never past
    /// the body's end; one resize per step, not per chunk. A <see cref="Protocol.WriteAt"/> keeps its memory until the owner
    /// ran it, so an array whose write failed or timed out (it may still be queued) is never returned to the pool, only
    /// left to the collector.</summary>
    /// <returns>The file's size as this request left it.</returns>
    private async Task<long> CopyInAsync(HttpContext context, IMappedFile file, long start, long count, long size, bool growAhead)
    {
        long bodyEnd = start + count;
        var cancellation = context.RequestAborted;
        var reader = context.Request.BodyReader;
        int chunk = ChunkOf(count);
        var data = ArrayPool<byte>.Shared.Rent(chunk);
        while (count > 0)
        {
            int want = (int)Math.Min(count, chunk);
            var result = await _pace.ReadAtLeastAsync(context, want).ConfigureAwait(false);
            var buffer = result.Buffer;
            // Every read is answered by exactly one AdvanceTo, also when a write or a growth fails below: a read left
            // open makes Kestrel close the connection after the error response, and a client that reuses it then sees
            // its next request fail ("response ended prematurely") instead of the error it was sent.
            long taken = 0;
            try
            {
                if (buffer.Length < want)
                {
                    taken = buffer.Length;
                    throw new MmapException(MmapErrorKind.ValueError, $"the body ended {count - buffer.Length} bytes before its Content-Length");
                }
                // What has arrived, in whole chunks (or up to the body's end), at most one growth step.
                long inHand = Math.Min(Math.Min(buffer.Length, count), GrowthStep);
                long take = inHand == count ? inHand : inHand - inHand % chunk;
                if (start + take > size)
                {
                    // Grown only now that the bytes are here: to their end (readers see no byte that has not arrived), or ahead
                    // for a temporary file nobody reads.
                    if (growAhead)
                    {
                        // A whole-file PUT's temporary file: no other request writes it, so a plain resize cuts nothing.
                        long newSize = Math.Min(bodyEnd, Math.Max(start + take, 2 * size));
                        await file.ResizeAsync(newSize, cancellation).ConfigureAwait(false);
                        size = newSize;
                    }
                    else
                    {
                        // The file everyone sees: grow-only in one owner turn, so a concurrent request that made it longer
                        // meanwhile (its size is newer than ours) keeps its length and its bytes.
                        size = await GrowToAsync(file, start + take, cancellation).ConfigureAwait(false);
                    }
                }
                var pending = buffer.Slice(0, take);
                while (pending.Length > 0)
                {
                    int piece = (int)Math.Min(pending.Length, chunk);
                    // The owner takes an exact array (else the handle copies it again): a shorter last chunk gets its own.
                    var target = piece == data.Length ? data : new byte[piece];
                    pending.Slice(0, piece).CopyTo(target);
                    pending = pending.Slice(piece);
                    await file.WriteAtAsync(start, target, cancellation).ConfigureAwait(false);
                    start += piece;
                    count -= piece;
                    taken += piece;
                }
            }
            finally
            {
                reader.AdvanceTo(buffer.GetPosition(taken));
            }
        }
        ArrayPool<byte>.Shared.Return(data); // every write was answered: nothing refers to it any more
        return size;
    }

    /// <summary>Grows <paramref name="file"/> through its owner until the handle maps at least <paramref name="length"/>
    /// bytes, never shrinking it (<see cref="Protocol.GrowTo"/>, local-only: the data plane's owners are in this process). Sent as
    /// a one-operation batch, the handle's way of carrying an operation it has no method for.</summary>
    /// <returns>The handle's length afterwards (more than <paramref name="length"/> when another request grew it further).</returns>
    private static async Task<long> GrowToAsync(IMappedFile file, long length, CancellationToken cancellationToken)
    {
        var reply = await file.BatchAsync([new Protocol.GrowTo(length)], cancellationToken).ConfigureAwait(false);
        if (reply.Error is { } error)
        {
            throw error.ToException();
        }
        return ((Protocol.NumberReply)reply.Results[0]).Value;
    }

    // ---------------------------------------------------------------------------------------------------------
    // POST ?flush
    // ---------------------------------------------------------------------------------------------------------

    private async Task FlushAsync(HttpContext context, string path, string? ticket)
    {
        long size = Stat(path, writable: !_root.ReadOnly);
        if (ticket is not null && !await RedeemAsync(context, ticket, path, 0, size, write: true).ConfigureAwait(false))
        {
            return;
        }
        if (size > 0)
        {
            using var lease = _handles.Acquire(path);
            var file = await lease.GetFileAsync().ConfigureAwait(false);
            await file.FlushAsync(cancellationToken: context.RequestAborted).ConfigureAwait(false);
        }
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Shared
    // ---------------------------------------------------------------------------------------------------------

    private async Task<bool> RedeemAsync(HttpContext context, string ticket, string path, long offset, long length, bool write, bool replace = false)
    {
        var check = _tickets.Redeem(ticket, PeerIdentity.FromAddress(context.Connection.RemoteIpAddress), path, offset, length, write, replace);
        if (check == TicketCheck.Valid)
        {
            return true;
        }
        // Typed like every other refusal (EACCES: the path may be fine, this credential does not reach it), with the exact
        // reason as data in Mmap-Ticket.
        context.Response.Headers["Mmap-Ticket"] = check.ToString();
        await DataPlaneErrors.WriteAsync(context.Response, StatusCodes.Status403Forbidden, $"[Errno 13] Permission denied: ticket refused: {check}",
            MmapErrorKind.OSError, 13).ConfigureAwait(false);
        return false;
    }

    /// <summary>The size of a file, through the sandbox (which also refuses anything but a regular file), uncached: for
    /// writes, which must see a read-only export or a missing file as such.</summary>
    private long Stat(string path, bool writable)
    {
        using var file = _root.OpenFile(path, writable);
        return file.Length;
    }

    /// <summary>Marks the file modified now (later than before, even within the kernel's coarse clock), so validators
    /// change with every PUT; best effort (a file owned by another user keeps its time).</summary>
    private FileValidators Touch(string path)
    {
        using var file = _root.OpenFile(path, writable: true);
        using (var handle = new SafeFileHandle(file.Descriptor, ownsHandle: false))
        {
            var modified = File.GetLastWriteTimeUtc(handle);
            var now = DateTime.UtcNow;
            try
            {
                File.SetLastWriteTimeUtc(handle, now > modified ? now : modified.AddTicks(10)); // 10 ticks = 1 µs
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        int errno = LibC.Identify(file.Descriptor, out var identity);
        return errno == 0 ? new FileValidators(identity) : throw MmapException.FromErrno(errno, ServedRoot.Quote(path));
    }

}
