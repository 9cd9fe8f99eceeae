using System.Buffers;
using System.Runtime.InteropServices;
using Akka.Actor;
using MmapActors.Diagnostics;
using MmapActors.Owner;
using MmapActors.Protocol;

namespace MmapActors.Client;

/// <summary>The <see cref="IMappedFile"/> of a handle on an owner actor, local or remote.</summary>
internal sealed class MappedFile : IMappedFile
{
    private readonly IActorRef _owner;
    private readonly long _handleId;
    private readonly TimeSpan _timeout;
    private readonly bool _ownerIsLocal;
    private readonly int _chunkSize;
    private readonly int _window;
    private readonly ReplySinkPool? _sinks;
    private readonly Task _clientSystemTerminated;
    private readonly ConnectionState? _connection;
    private readonly DataPlaneTransfer.Route? _dataPlane;
    private readonly FileTurn? _turn;
    private int _mailboxStreak; // calls left to send to the mailbox after the turn was found taken

    /// <summary>How many calls of a handle go to the mailbox after it found the file's turn taken (measured with 16
    /// callers on two cores: local.write4k.c16 770 k/s without the streak, 946 k/s with it, same machine and minute).</summary>
    internal const int MailboxStreakAfterContention = 16;

    private int _inlineStreak; // calls run inline in a row

    /// <summary>After this many calls in a row ran inline, the next one goes through the mailbox. An inline call completes
    /// synchronously, so a caller looping on one handle would otherwise never give its thread back: 16 such loops on two
    /// cores kept the thread pool from Akka's own work (heartbeats, timers) for 10 s, and a cluster member in the same
    /// process was marked unreachable. One mailbox round trip in 64 (about 2 us) lets the pool and the owner's mailbox
    /// run, for 1 to 3 % of a tight loop's rate.</summary>
    internal const int InlineRunsBeforeMailbox = 64;

    private int _inFlight; // requests sent to the owner and not answered yet (one abandoned stays counted for good)
    private int _disposed;

    /// <param name="opened">The owner's reply to the open.</param>
    /// <param name="timeout">How long each request waits for the owner.</param>
    /// <param name="clientSystemTerminated">Completes when the client's ActorSystem has terminated.</param>
    /// <param name="chunkSize">Bytes per chunk of a streamed range.</param>
    /// <param name="window">Chunks of a streamed range in flight at once.</param>
    /// <param name="sinks">Reusable reply sinks (registered temp actors, so remote owners reach them too); null: Akka's Ask.</param>
    /// <param name="connection">A remote client's connection: once lost, every call fails at once.</param>
    /// <param name="dataPlane">Where streamed ranges go over the server's HTTP data plane; null: actor chunks only.</param>
    public MappedFile(MapOpened opened, TimeSpan timeout, Task clientSystemTerminated, int chunkSize = 64 << 10, int window = 16,
        ReplySinkPool? sinks = null, ConnectionState? connection = null, DataPlaneTransfer.Route? dataPlane = null)
    {
        _connection = connection;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window);
        _chunkSize = chunkSize;
        _window = window;
        _owner = opened.Owner;
        _handleId = opened.HandleId;
        Key = opened.Key;
        Access = opened.Access;
        _timeout = timeout;
        _ownerIsLocal = opened.Owner.Path.Address.HasLocalScope;
        _sinks = sinks;
        _clientSystemTerminated = clientSystemTerminated;
        _dataPlane = dataPlane;
        _turn = _ownerIsLocal ? opened.Turn : null;
    }

    public string Key { get; }

    public MmapAccess Access { get; }

    public async Task<byte[]> ReadAsync(long? count = null, CancellationToken cancellationToken = default) =>
        Bytes(await SendAsync(new Read(count), cancellationToken).ConfigureAwait(false));

    public async Task<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (_ownerIsLocal)
        {
            return (int)Number(await SendWithBufferAsync(new ReadInto(destination, cancellationToken), cancellationToken).ConfigureAwait(false));
        }
        var data = Bytes(await SendAsync(new Read(destination.Length), cancellationToken).ConfigureAwait(false));
        data.CopyTo(destination);
        return data.Length;
    }

    public async Task<int> ReadByteAsync(CancellationToken cancellationToken = default) =>
        (int)Number(await SendAsync(ReadByte.Instance, cancellationToken).ConfigureAwait(false));

    public async Task<byte[]> ReadLineAsync(CancellationToken cancellationToken = default) =>
        Bytes(await SendAsync(ReadLine.Instance, cancellationToken).ConfigureAwait(false));

    public async Task<int> WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        (int)Number(await SendWithBufferAsync(new Write(ExactArray(data)), cancellationToken).ConfigureAwait(false));

    public Task WriteByteAsync(int value, CancellationToken cancellationToken = default) =>
        SendAsync(new WriteByte(value), cancellationToken);

    public async Task<long> SeekAsync(long position, SeekOrigin whence = SeekOrigin.Begin, CancellationToken cancellationToken = default) =>
        Number(await SendAsync(new Seek(position, whence), cancellationToken).ConfigureAwait(false));

    public async Task<long> TellAsync(CancellationToken cancellationToken = default) =>
        Number(await SendAsync(Tell.Instance, cancellationToken).ConfigureAwait(false));

    public async Task<long> FindAsync(ReadOnlyMemory<byte> sub, long? start = null, long? end = null, CancellationToken cancellationToken = default) =>
        Number(await SendAsync(new Find(sub.ToArray(), start, end), cancellationToken).ConfigureAwait(false));

    public async Task<long> RFindAsync(ReadOnlyMemory<byte> sub, long? start = null, long? end = null, CancellationToken cancellationToken = default) =>
        Number(await SendAsync(new Find(sub.ToArray(), start, end, Reverse: true), cancellationToken).ConfigureAwait(false));

    public Task FlushAsync(long? offset = null, long? size = null, CancellationToken cancellationToken = default) =>
        SendAsync(new Flush(offset, size), cancellationToken);

    public Task MadviseAsync(MadviseOption option, long? start = null, long? length = null, CancellationToken cancellationToken = default) =>
        SendAsync(new Madvise(option, start, length), cancellationToken);

    public Task MoveAsync(long destination, long source, long count, CancellationToken cancellationToken = default) =>
        SendAsync(new Move(destination, source, count), cancellationToken);

    public Task ResizeAsync(long newSize, CancellationToken cancellationToken = default) =>
        SendAsync(new Resize(newSize), cancellationToken);

    public async Task<long> SizeAsync(CancellationToken cancellationToken = default) =>
        Number(await SendAsync(Size.Instance, cancellationToken).ConfigureAwait(false));

    public async Task<long> LengthAsync(CancellationToken cancellationToken = default) =>
        Number(await SendAsync(Length.Instance, cancellationToken).ConfigureAwait(false));

    public async Task<int> GetItemAsync(long index, CancellationToken cancellationToken = default) =>
        (int)Number(await SendAsync(new GetItem(index), cancellationToken).ConfigureAwait(false));

    public Task SetItemAsync(long index, int value, CancellationToken cancellationToken = default) =>
        SendAsync(new SetItem(index, value), cancellationToken);

    public async Task<byte[]> GetSliceAsync(long? start, long? stop, long? step = null, CancellationToken cancellationToken = default) =>
        Bytes(await SendAsync(new GetSlice(start, stop, step), cancellationToken).ConfigureAwait(false));

    public Task SetSliceAsync(long? start, long? stop, long? step, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) =>
        SendWithBufferAsync(new SetSlice(start, stop, step, ExactArray(value)), cancellationToken);

    public Task DeleteItemAsync(long index, CancellationToken cancellationToken = default) =>
        SendAsync(new DeleteItem(index), cancellationToken);

    public Task DeleteSliceAsync(long? start, long? stop, long? step = null, CancellationToken cancellationToken = default) =>
        SendAsync(new DeleteSlice(start, stop, step), cancellationToken);

    public async Task<bool> ContainsAsync(ReadOnlyMemory<byte> item, CancellationToken cancellationToken = default) =>
        ((BooleanReply)await SendAsync(new Contains(item.ToArray()), cancellationToken).ConfigureAwait(false)).Value;

    public async Task<byte[]> ToArrayAsync(CancellationToken cancellationToken = default) =>
        Bytes(await SendAsync(ToBytes.Instance, cancellationToken).ConfigureAwait(false));

    public async Task<string> ReprAsync(CancellationToken cancellationToken = default) =>
        ((TextReply)await SendAsync(Repr.Instance, cancellationToken).ConfigureAwait(false)).Value;

    public async Task<bool> IsClosedAsync(CancellationToken cancellationToken = default) =>
        ((BooleanReply)await SendAsync(IsClosed.Instance, cancellationToken).ConfigureAwait(false)).Value;

    public async Task<LeaseReply> AcquireLeaseAsync(CancellationToken cancellationToken = default) =>
        (LeaseReply)await SendAsync(AcquireLease.Instance, cancellationToken).ConfigureAwait(false);

    public Task ReleaseLeaseAsync(CancellationToken cancellationToken = default) =>
        SendAsync(ReleaseLease.Instance, cancellationToken);

    public async Task<byte[]> ReadAtAsync(long offset, int count, CancellationToken cancellationToken = default) =>
        Bytes(await SendAsync(new ReadAt(offset, count), cancellationToken).ConfigureAwait(false));

    public async Task<int> ReadAtAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (_ownerIsLocal)
        {
            return (int)Number(await SendWithBufferAsync(new ReadAtInto(offset, destination, cancellationToken), cancellationToken).ConfigureAwait(false));
        }
        var data = Bytes(await SendAsync(new ReadAt(offset, destination.Length), cancellationToken).ConfigureAwait(false));
        data.CopyTo(destination);
        return data.Length;
    }

    public Task WriteAtAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        SendWithBufferAsync(new WriteAt(offset, ExactArray(data)), cancellationToken);

    public async Task<bool> CompareAndSwapAsync(long offset, ReadOnlyMemory<byte> expected, ReadOnlyMemory<byte> replacement,
        CancellationToken cancellationToken = default)
    {
        // One-op batch: a mismatch comes back as data, not as an exception.
        var reply = await BatchAsync([new CompareAndSwap(offset, expected.ToArray(), replacement.ToArray())], cancellationToken).ConfigureAwait(false);
        if (reply.Error is { } error)
        {
            return error.Code == MmapErrorCode.CompareAndSwapFailed ? false : throw error.ToException();
        }
        return true;
    }

    public async Task<long> ReadRangeAsync(long offset, long count, Stream destination, IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        long length = await LengthAsync(cancellationToken).ConfigureAwait(false);
        if (offset < 0 || offset > length)
        {
            throw new MmapException(MmapErrorKind.ValueError, "read position out of range");
        }
        long end = offset + Math.Min(count, length - offset);
        var pending = new Queue<Task<Chunk>>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        long next = offset, transferred = 0;
        MmapMetrics.TransferStarted(write: false);
        try
        {
            if (_dataPlane is { } route && end > offset &&
                await route.Transfer.TryReadAsync(route.Path, offset, end - offset, destination, progress, cancellationToken).ConfigureAwait(false) is { } moved)
            {
                return moved;
            }
            while (next < end || pending.Count > 0)
            {
                while (pending.Count < _window && next < end)
                {
                    int n = (int)Math.Min(_chunkSize, end - next);
                    pending.Enqueue(ReadChunkAsync(next, n, stop.Token));
                    next += n;
                }
                var chunk = await pending.Dequeue().ConfigureAwait(false);
                try
                {
                    await destination.WriteAsync(chunk.Data.AsMemory(0, chunk.Count), cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    chunk.Return();
                }
                transferred += chunk.Count;
                progress?.Report(transferred);
            }
            return transferred;
        }
        finally
        {
            MmapMetrics.TransferEnded(write: false); // first: nothing below may skip it
            await DrainAsync(pending, stop).ConfigureAwait(false);
        }
    }

    public async Task<long> WriteRangeAsync(long offset, Stream source, long? count = null, IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (count is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "The count must not be negative.");
        }
        long remaining = count ?? long.MaxValue;
        var pending = new Queue<Task<int>>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        long next = offset, transferred = 0;
        bool endOfSource = false;
        MmapMetrics.TransferStarted(write: true);
        try
        {
            if (await TryWriteOverDataPlaneAsync(offset, source, count, progress, cancellationToken).ConfigureAwait(false) is { } moved)
            {
                return moved;
            }
            while (!endOfSource || pending.Count > 0)
            {
                while (pending.Count < _window && !endOfSource)
                {
                    // Each chunk gets its own exact array: the message holds it until the owner has written it.
                    var data = new byte[(int)Math.Min(_chunkSize, remaining)];
                    int read = data.Length == 0 ? 0 : await source.ReadAtLeastAsync(data, data.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                    if (read < data.Length)
                    {
                        endOfSource = true;
                        Array.Resize(ref data, read);
                    }
                    remaining -= read;
                    endOfSource |= remaining == 0;
                    if (read > 0)
                    {
                        pending.Enqueue(WriteChunkAsync(next, data, stop.Token));
                        next += read;
                    }
                }
                if (pending.Count > 0)
                {
                    transferred += await pending.Dequeue().ConfigureAwait(false);
                    progress?.Report(transferred);
                }
            }
            return transferred;
        }
        finally
        {
            MmapMetrics.TransferEnded(write: true); // first: nothing below may skip it
            await DrainAsync(pending, stop).ConfigureAwait(false);
        }
    }

    /// <summary>A write over the data plane, when the source knows how many bytes it holds and they stay inside the map
    /// (the actor path raises the errors of writes that would not); null: use actor chunks.</summary>
    /// <remarks>The request promises its length (Content-Length) before the first byte, so only a seekable source can say
    /// what it will send: <paramref name="count"/> is an upper bound ("up to count bytes, or to the end of the stream"),
    /// and a pipe may end before it. A pipe with a count used to be sent with the count as its length and failed as soon
    /// as it ended early (<c>mmapctl put</c> from standard input: "Sent 16711680 request content bytes, but
    /// Content-Length promised 16777216"); it now streams over actor chunks, which stop where the source ends.</remarks>
    private async Task<long?> TryWriteOverDataPlaneAsync(long offset, Stream source, long? count, IProgress<long>? progress,
        CancellationToken cancellationToken)
    {
        if (_dataPlane is not { Writable: true } route || offset < 0 || !source.CanSeek ||
            Math.Min(count ?? long.MaxValue, source.Length - source.Position) is not (> 0 and var size) ||
            size > await LengthAsync(cancellationToken).ConfigureAwait(false) - offset)
        {
            return null;
        }
        return await route.Transfer.TryWriteAsync(route.Path, offset, source, size, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One chunk of a streamed read; pooled when it came from a local owner.</summary>
    private readonly record struct Chunk(byte[] Data, int Count, bool Pooled)
    {
        public void Return()
        {
            if (Pooled)
            {
                ArrayPool<byte>.Shared.Return(Data);
            }
        }
    }

    private async Task<Chunk> ReadChunkAsync(long offset, int count, CancellationToken cancellationToken)
    {
        if (_ownerIsLocal)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(count);
            try
            {
                int n = (int)Number(await SendWithBufferAsync(new ReadAtInto(offset, buffer.AsMemory(0, count), cancellationToken), cancellationToken).ConfigureAwait(false));
                return new Chunk(buffer, n, Pooled: true);
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(buffer);
                throw;
            }
        }
        var data = Bytes(await SendAsync(new ReadAt(offset, count), cancellationToken).ConfigureAwait(false));
        return new Chunk(data, data.Length, Pooled: false);
    }

    private async Task<int> WriteChunkAsync(long offset, byte[] data, CancellationToken cancellationToken)
    {
        await SendAsync(new WriteAt(offset, data), cancellationToken).ConfigureAwait(false);
        return data.Length;
    }

    /// <summary>After a failure or cancellation: stop issuing, and observe what is still in flight so that no pooled
    /// buffer is lost and no exception goes unobserved.</summary>
    private static async Task DrainAsync<T>(Queue<Task<T>> pending, CancellationTokenSource stop)
    {
        if (pending.Count == 0)
        {
            return;
        }
        await stop.CancelAsync().ConfigureAwait(false);
        while (pending.TryDequeue(out var task))
        {
            try
            {
                var result = await task.ConfigureAwait(false);
                if (result is Chunk chunk)
                {
                    chunk.Return();
                }
            }
            catch (Exception)
            {
                // already failing or cancelled; the first error is the one reported
            }
        }
    }

    public async Task<BatchReply> BatchAsync(IReadOnlyList<MapOperation> operations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        return (BatchReply)await SendWithBufferAsync(new Batch(operations), cancellationToken).ConfigureAwait(false);
    }

    public Task CloseAsync(CancellationToken cancellationToken = default) => SendAsync(Close.Instance, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && !OwnerIsGone)
        {
            await SendAsync(Close.Instance, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Whether a Close can no longer reach the owner because the client's ActorSystem has terminated, so that
    /// disposing (typically by a DI container after the host stopped) returns at once instead of waiting for the ask
    /// timeout. Nothing is left to close: a local owner's shutdown flushed and closed the handle, and a server
    /// releases the handles of a client it loses.
    /// </summary>
    private bool OwnerIsGone => _clientSystemTerminated.IsCompleted || _connection?.Lost is not null;

    public override string ToString() => $"IMappedFile({Key}, handle {_handleId}, {Access})";

    /// <summary>Sends an operation whose message holds no caller memory: cancellation may abandon the wait.</summary>
    private Task<MapReply> SendAsync(MapOperation operation, CancellationToken cancellationToken) =>
        TryRunInline(operation, cancellationToken) ??
        (_sinks is null ? AskAsync(operation, cancellationToken, abandonable: true) : SendLocalAsync(operation, cancellationToken, abandonable: true));

    /// <summary>Sends an operation whose message holds caller memory: once sent, always wait for the owner's answer, so
    /// the memory is never touched after this returns. The owner skips the operation if the token is cancelled by then.</summary>
    private Task<MapReply> SendWithBufferAsync(MapOperation operation, CancellationToken cancellationToken) =>
        TryRunInline(operation, cancellationToken) ??
        (_sinks is null ? AskAsync(operation, cancellationToken, abandonable: false) : SendLocalAsync(operation, cancellationToken, abandonable: false));

    /// <summary>
    /// Runs the operation on this thread under the file's turn (<see cref="FileTurn"/>) when the owner is in this process
    /// and idle, and no earlier request of this handle may still be waiting in its mailbox (an inline call never overtakes
    /// one); null: send it. Every request sent counts as in flight until its answer arrives; one abandoned (timeout,
    /// cancellation) may still be queued, so it stays counted and this handle uses the mailbox from then on.
    /// </summary>
    private Task<MapReply>? TryRunInline(MapOperation operation, CancellationToken cancellationToken)
    {
        if (_turn is null)
        {
            return null;
        }
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<MapReply>(cancellationToken);
        }
        if (Interlocked.Increment(ref _inFlight) != 1 || _mailboxStreak > 0 && _mailboxStreak-- > 0)
        {
            return null; // counted: the request goes to the mailbox, and SendLocalAsync/AskAsync uncount it when answered
        }
        if (!_turn.TryRun(_handleId, operation, out var reply))
        {
            // The turn is contended: stay with the mailbox for a few calls. A caller that waits for the owner parks
            // instead of keeping a thread busy retrying, so the owner and the callers that do run inline get the cores.
            _mailboxStreak = MailboxStreakAfterContention;
            return null;
        }
        Interlocked.Decrement(ref _inFlight);
        if (++_inlineStreak >= InlineRunsBeforeMailbox)
        {
            _inlineStreak = 0;
            _mailboxStreak = 1;
        }
        return reply switch
        {
            MmapError error => Task.FromException<MapReply>(error.ToException()),
            // As an async method ends when it throws OperationCanceledException: a cancelled task, not a faulted one.
            Canceled when cancellationToken.IsCancellationRequested => Task.FromCanceled<MapReply>(cancellationToken),
            Canceled => Task.FromException<MapReply>(new OperationCanceledException(cancellationToken)),
            _ => Task.FromResult(reply),
        };
    }

    /// <summary>
    /// <c>ReadAtInto</c> on this thread under the file's turn when the owner is in this process and idle, whatever else
    /// this handle has in flight; false: nothing ran, send it (<see cref="ReadAtAsync(long, Memory{byte}, CancellationToken)"/>).
    /// For a handle shared by independent callers that each wait for one request before making the next (the HTTP data
    /// plane: each request reads its chunks one by one), so that no caller can overtake a request of its own; the
    /// handle-wide rule of <see cref="TryRunInline"/> would send every caller to the mailbox while any one is there.
    /// </summary>
    /// <exception cref="MmapException">The owner's error, as <see cref="ReadAtAsync(long, Memory{byte}, CancellationToken)"/> raises it.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    internal bool TryReadAtInline(long offset, Memory<byte> destination, CancellationToken cancellationToken, out int read)
    {
        read = 0;
        if (_turn is null || !_turn.TryRun(_handleId, new ReadAtInto(offset, destination, cancellationToken), out var reply))
        {
            return false;
        }
        read = (int)Number(Check(reply, cancellationToken));
        return true;
    }

    /// <summary>Whether <see cref="TryReadAtInline"/> would most likely run now (the owner is in this process and its turn
    /// admits readers): a hint, never a promise.</summary>
    internal bool ReadsInlineNow => _turn is { AdmitsSharedNow: true };

    /// <summary>The owner answered a request sent while this handle may run inline: it no longer waits in the mailbox.</summary>
    private void Answered()
    {
        if (_turn is not null)
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task<MapReply> AskAsync(MapOperation operation, CancellationToken cancellationToken, bool abandonable)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _connection?.ThrowIfLost(operation.GetType().Name);
        MapReply reply;
        try
        {
            var request = new MapRequest(_handleId, operation);
            reply = abandonable
                ? await _owner.Ask<MapReply>(request, _timeout, cancellationToken).ConfigureAwait(false)
                : await _owner.Ask<MapReply>(request, _timeout).ConfigureAwait(false);
            Answered();
        }
        catch (AskTimeoutException e)
        {
            throw Timeout(operation, e);
        }
        return Check(reply, cancellationToken);
    }

    /// <summary>The hot path: a pooled <see cref="ReplySink"/> instead of Ask (see docs/benchmarks.md).</summary>
    private async Task<MapReply> SendLocalAsync(MapOperation operation, CancellationToken cancellationToken, bool abandonable)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _connection?.ThrowIfLost(operation.GetType().Name);
        var sinks = _sinks!;
        var sink = sinks.Rent();
        var pending = sink.SendAsync(_owner, new MapRequest(_handleId, operation), Environment.TickCount64 + (long)_timeout.TotalMilliseconds);
        short version = sink.Version;
        var registration = abandonable && cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static (state, token) =>
            {
                var (s, v) = ((ReplySink, short))state!;
                s.TryFail(v, new OperationCanceledException(token));
            }, (sink, version))
            : default;
        object reply;
        try
        {
            reply = await pending.ConfigureAwait(false);
            Answered();
        }
        catch (TimeoutException e)
        {
            await registration.DisposeAsync().ConfigureAwait(false);
            sinks.Drop(sink);
            throw Timeout(operation, e);
        }
        catch (ConnectionLostException e)
        {
            await registration.DisposeAsync().ConfigureAwait(false);
            sinks.Drop(sink);
            throw e.For(operation.GetType().Name);
        }
        catch (OperationCanceledException)
        {
            await registration.DisposeAsync().ConfigureAwait(false);
            sinks.Drop(sink);
            throw;
        }
        // The registration must be gone before the sink serves another call.
        await registration.DisposeAsync().ConfigureAwait(false);
        sinks.Return(sink);
        return Check((MapReply)reply, cancellationToken);
    }

    private static MapReply Check(MapReply reply, CancellationToken cancellationToken) => reply switch
    {
        MmapError error => throw error.ToException(),
        Canceled => throw new OperationCanceledException(cancellationToken),
        _ => reply,
    };

    private MmapTimeoutException Timeout(MapOperation operation, Exception inner) =>
        new($"The owner of {Key}", operation.GetType().Name, _timeout, inner);

    private static byte[] Bytes(MapReply reply) => ((BytesReply)reply).Data;

    private static long Number(MapReply reply) => ((NumberReply)reply).Value;

    /// <summary>Messages carry exact-length arrays (a slice would serialize its whole backing array remotely).</summary>
    private static byte[] ExactArray(ReadOnlyMemory<byte> data) =>
        MemoryMarshal.TryGetArray(data, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : data.ToArray();
}
