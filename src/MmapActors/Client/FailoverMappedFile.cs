using Akka.Actor;
using MmapActors.Protocol;

namespace MmapActors.Client;

/// <summary>
/// The <see cref="IMappedFile"/> of a handle whose owner may move: one opened through a cluster router (or any supervisor
/// other than the node's own), whose owner can be handed off to another node or die with its node. It watches the owner;
/// when the owner is gone, positional operations re-open the file through the same router and run on the new owner,
/// while operations that need the lost handle's cursor or leases fail with <see cref="MmapErrorCode.OwnerMoved"/>
/// (docs/cluster.md, "What a worker sees").
/// </summary>
/// <remarks>
/// Whether an operation in flight may be re-run decides everything here:
/// <list type="bullet">
/// <item>An <see cref="MmapErrorCode.OwnerMoved"/> <em>reply</em> comes from the owner's node, which saw the request
/// reach a stopped owner: it was not applied, so any positional operation is re-run.</item>
/// <item>An owner that stopped while its node lives (hand-off, passivation) still answers everything sent to it, with a
/// reply or with that error, so the call waits for it.</item>
/// <item>An owner whose node is gone never answers: reads are re-run; writes, flushes and batches fail with
/// <see cref="MmapErrorCode.OwnerMoved"/> saying they may have been applied.</item>
/// </list>
/// </remarks>
internal sealed class FailoverMappedFile : IMappedFile
{
    /// <summary>What an operation needs from the handle, which decides whether it may be re-run elsewhere.</summary>
    private enum Kind
    {
        /// <summary>Uses the handle's cursor or leases, which die with the owner: never re-run.</summary>
        Cursor,

        /// <summary>A positional read: re-run whenever the owner is gone.</summary>
        Read,

        /// <summary>A positional change (or a flush): re-run only when it certainly was not applied.</summary>
        Change,

        /// <summary>A streamed range: re-opens before it starts, never re-run once started (part of it may have moved).</summary>
        Stream,
    }

    /// <summary>One owner's handle: the file, the owner's watcher and whether the owner is gone (true: with its node).</summary>
    private sealed class Incarnation(MappedFile file, IActorRef watcher, TaskCompletionSource<bool> lost, bool original)
    {
        public MappedFile File { get; } = file;
        public IActorRef Watcher { get; } = watcher;
        public TaskCompletionSource<bool> Lost { get; } = lost;
        public bool Original { get; } = original;
        public bool IsLost => Lost.Task.IsCompleted;
    }

    /// <summary>How many owners one call may try before it gives up (each move is a new owner).</summary>
    private const int MaxAttempts = 5;

    private readonly ActorSystem _system;
    private readonly Func<MapOpened, MappedFile> _open;
    private readonly Func<CancellationToken, Task<MapOpened>> _reopen;
    private readonly TimeSpan _timeout;
    private readonly SemaphoreSlim _reopening = new(1, 1);
    private Incarnation _current;
    private volatile bool _closed;

    /// <param name="system">The client's ActorSystem (the watchers run there).</param>
    /// <param name="opened">The reply to the first open.</param>
    /// <param name="open">Makes the handle of a reply to an open.</param>
    /// <param name="reopen">Opens the file again, with the same options, through the same router.</param>
    /// <param name="timeout">How long a re-open may keep trying while the owner moves.</param>
    public FailoverMappedFile(ActorSystem system, MapOpened opened, Func<MapOpened, MappedFile> open,
        Func<CancellationToken, Task<MapOpened>> reopen, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(opened);
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(reopen);
        _system = system;
        _open = open;
        _reopen = reopen;
        _timeout = timeout;
        Key = opened.Key;
        Access = opened.Access;
        _current = Watch(opened, original: true);
    }

    public string Key { get; }

    public MmapAccess Access { get; }

    /// <summary>Whether the handle now runs on another owner than the one it was opened on (tests and diagnostics).</summary>
    internal bool Moved => !_current.Original;

    private Incarnation Watch(MapOpened opened, bool original)
    {
        var lost = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var watcher = _system.ActorOf(OwnerWatcher.Props(opened.Owner, lost));
        return new Incarnation(_open(opened), watcher, lost, original);
    }

    private void Forget(Incarnation incarnation, bool nodeGone)
    {
        incarnation.Lost.TrySetResult(nodeGone);
        _system.Stop(incarnation.Watcher);
    }

    /// <summary>Runs <paramref name="call"/> on the current owner, re-opening and re-running as its kind allows.</summary>
    private async Task<T> RunAsync<T>(string operation, Kind kind, Func<MappedFile, Task<T>> call, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            var current = await CurrentAsync(operation, kind, cancellationToken).ConfigureAwait(false);
            var task = call(current.File);
            if (!task.IsCompleted && await Task.WhenAny(task, current.Lost.Task).ConfigureAwait(false) != task && current.Lost.Task.Result)
            {
                // The owner's node is gone: no reply will come.
                _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                if (kind == Kind.Read && attempt < MaxAttempts)
                {
                    continue;
                }
                throw OwnerMoved(operation, kind == Kind.Read
                    ? $"its owner's node failed {MaxAttempts} times in a row"
                    : "its owner's node failed while it ran; it may or may not have been applied (retry it, or open the file again)");
            }
            try
            {
                return await task.ConfigureAwait(false);
            }
            catch (MmapException e) when (e.Code == MmapErrorCode.OwnerMoved)
            {
                // A reply from the owner's node: the request reached a stopped owner and was not applied.
                Forget(current, nodeGone: false);
                if (kind is Kind.Cursor or Kind.Stream || attempt >= MaxAttempts)
                {
                    throw;
                }
            }
        }
    }

    private Task RunAsync(string operation, Kind kind, Func<MappedFile, Task> call, CancellationToken cancellationToken) =>
        RunAsync(operation, kind, async file =>
        {
            await call(file).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>The owner to send to: the current one while it lives; once it is gone, a new one for what may move.</summary>
    private async Task<Incarnation> CurrentAsync(string operation, Kind kind, CancellationToken cancellationToken)
    {
        var current = _current;
        if (!current.IsLost)
        {
            return current;
        }
        if (_closed)
        {
            throw new MmapException(MmapErrorKind.ValueError, "mmap closed or invalid");
        }
        if (kind == Kind.Cursor)
        {
            throw OwnerMoved(operation, current.Original
                ? "the handle's owner is gone, and its cursor and leases with it; open the file again"
                : "the handle was re-opened on a new owner after its first one was lost, without its cursor and leases; open the file again");
        }
        await _reopening.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_current != current)
            {
                return _current; // another call re-opened it meanwhile
            }
            var deadline = DateTime.UtcNow + _timeout;
            var delay = TimeSpan.FromMilliseconds(50);
            while (true)
            {
                try
                {
                    var opened = await _reopen(cancellationToken).ConfigureAwait(false);
                    return _current = Watch(opened, original: false);
                }
                catch (MmapTimeoutException) when (DateTime.UtcNow < deadline)
                {
                    // The attempt went where the owner no longer is: ask again.
                }
                catch (MmapException e) when (e.Code == MmapErrorCode.OwnerMoved && DateTime.UtcNow + delay < deadline)
                {
                    // The open met an owner on its way out (a shard handing off): the new one will take it shortly.
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(1).Ticks));
                }
            }
        }
        finally
        {
            _reopening.Release();
        }
    }

    private MmapException OwnerMoved(string operation, string why) =>
        new(MmapErrorKind.OSError, $"[Errno 116] Stale file handle: {operation} on {Key}: {why}", 116) { Code = MmapErrorCode.OwnerMoved };

    public Task<byte[]> ReadAsync(long? count = null, CancellationToken cancellationToken = default) =>
        RunAsync("read", Kind.Cursor, f => f.ReadAsync(count, cancellationToken), cancellationToken);

    public Task<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default) =>
        RunAsync("read", Kind.Cursor, f => f.ReadAsync(destination, cancellationToken), cancellationToken);

    public Task<int> ReadByteAsync(CancellationToken cancellationToken = default) =>
        RunAsync("read_byte", Kind.Cursor, f => f.ReadByteAsync(cancellationToken), cancellationToken);

    public Task<byte[]> ReadLineAsync(CancellationToken cancellationToken = default) =>
        RunAsync("readline", Kind.Cursor, f => f.ReadLineAsync(cancellationToken), cancellationToken);

    public Task<int> WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        RunAsync("write", Kind.Cursor, f => f.WriteAsync(data, cancellationToken), cancellationToken);

    public Task WriteByteAsync(int value, CancellationToken cancellationToken = default) =>
        RunAsync("write_byte", Kind.Cursor, f => f.WriteByteAsync(value, cancellationToken), cancellationToken);

    public Task<long> SeekAsync(long position, SeekOrigin whence = SeekOrigin.Begin, CancellationToken cancellationToken = default) =>
        RunAsync("seek", Kind.Cursor, f => f.SeekAsync(position, whence, cancellationToken), cancellationToken);

    public Task<long> TellAsync(CancellationToken cancellationToken = default) =>
        RunAsync("tell", Kind.Cursor, f => f.TellAsync(cancellationToken), cancellationToken);

    public Task<long> FindAsync(ReadOnlyMemory<byte> sub, long? start = null, long? end = null, CancellationToken cancellationToken = default) =>
        RunAsync("find", start is null ? Kind.Cursor : Kind.Read, f => f.FindAsync(sub, start, end, cancellationToken), cancellationToken);

    public Task<long> RFindAsync(ReadOnlyMemory<byte> sub, long? start = null, long? end = null, CancellationToken cancellationToken = default) =>
        RunAsync("rfind", start is null ? Kind.Cursor : Kind.Read, f => f.RFindAsync(sub, start, end, cancellationToken), cancellationToken);

    public Task FlushAsync(long? offset = null, long? size = null, CancellationToken cancellationToken = default) =>
        RunAsync("flush", Kind.Change, f => f.FlushAsync(offset, size, cancellationToken), cancellationToken);

    public Task MadviseAsync(MadviseOption option, long? start = null, long? length = null, CancellationToken cancellationToken = default) =>
        RunAsync("madvise", Kind.Read, f => f.MadviseAsync(option, start, length, cancellationToken), cancellationToken);

    public Task MoveAsync(long destination, long source, long count, CancellationToken cancellationToken = default) =>
        RunAsync("move", Kind.Change, f => f.MoveAsync(destination, source, count, cancellationToken), cancellationToken);

    public Task ResizeAsync(long newSize, CancellationToken cancellationToken = default) =>
        RunAsync("resize", Kind.Change, f => f.ResizeAsync(newSize, cancellationToken), cancellationToken);

    public Task<long> SizeAsync(CancellationToken cancellationToken = default) =>
        RunAsync("size", Kind.Read, f => f.SizeAsync(cancellationToken), cancellationToken);

    public Task<long> LengthAsync(CancellationToken cancellationToken = default) =>
        RunAsync("len", Kind.Read, f => f.LengthAsync(cancellationToken), cancellationToken);

    public Task<int> GetItemAsync(long index, CancellationToken cancellationToken = default) =>
        RunAsync("getitem", Kind.Read, f => f.GetItemAsync(index, cancellationToken), cancellationToken);

    public Task SetItemAsync(long index, int value, CancellationToken cancellationToken = default) =>
        RunAsync("setitem", Kind.Change, f => f.SetItemAsync(index, value, cancellationToken), cancellationToken);

    public Task<byte[]> GetSliceAsync(long? start, long? stop, long? step = null, CancellationToken cancellationToken = default) =>
        RunAsync("getslice", Kind.Read, f => f.GetSliceAsync(start, stop, step, cancellationToken), cancellationToken);

    public Task SetSliceAsync(long? start, long? stop, long? step, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) =>
        RunAsync("setslice", Kind.Change, f => f.SetSliceAsync(start, stop, step, value, cancellationToken), cancellationToken);

    public Task DeleteItemAsync(long index, CancellationToken cancellationToken = default) =>
        RunAsync("delitem", Kind.Read, f => f.DeleteItemAsync(index, cancellationToken), cancellationToken);

    public Task DeleteSliceAsync(long? start, long? stop, long? step = null, CancellationToken cancellationToken = default) =>
        RunAsync("delslice", Kind.Read, f => f.DeleteSliceAsync(start, stop, step, cancellationToken), cancellationToken);

    public Task<bool> ContainsAsync(ReadOnlyMemory<byte> item, CancellationToken cancellationToken = default) =>
        RunAsync("contains", Kind.Read, f => f.ContainsAsync(item, cancellationToken), cancellationToken);

    public Task<byte[]> ToArrayAsync(CancellationToken cancellationToken = default) =>
        RunAsync("bytes", Kind.Read, f => f.ToArrayAsync(cancellationToken), cancellationToken);

    public Task<string> ReprAsync(CancellationToken cancellationToken = default) =>
        RunAsync("repr", Kind.Cursor, f => f.ReprAsync(cancellationToken), cancellationToken); // shows the cursor

    public Task<bool> IsClosedAsync(CancellationToken cancellationToken = default) =>
        _closed && _current.IsLost ? Task.FromResult(true) : RunAsync("closed", Kind.Read, f => f.IsClosedAsync(cancellationToken), cancellationToken);

    public Task<LeaseReply> AcquireLeaseAsync(CancellationToken cancellationToken = default) =>
        RunAsync("memoryview", Kind.Cursor, f => f.AcquireLeaseAsync(cancellationToken), cancellationToken);

    public Task ReleaseLeaseAsync(CancellationToken cancellationToken = default) =>
        RunAsync("release", Kind.Cursor, f => f.ReleaseLeaseAsync(cancellationToken), cancellationToken);

    public Task<byte[]> ReadAtAsync(long offset, int count, CancellationToken cancellationToken = default) =>
        RunAsync("read_at", Kind.Read, f => f.ReadAtAsync(offset, count, cancellationToken), cancellationToken);

    public Task<int> ReadAtAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken = default) =>
        RunAsync("read_at", Kind.Read, f => f.ReadAtAsync(offset, destination, cancellationToken), cancellationToken);

    public Task WriteAtAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        RunAsync("write_at", Kind.Change, f => f.WriteAtAsync(offset, data, cancellationToken), cancellationToken);

    public Task<bool> CompareAndSwapAsync(long offset, ReadOnlyMemory<byte> expected, ReadOnlyMemory<byte> replacement,
        CancellationToken cancellationToken = default) =>
        RunAsync("compare_and_swap", Kind.Change, f => f.CompareAndSwapAsync(offset, expected, replacement, cancellationToken), cancellationToken);

    public Task<long> ReadRangeAsync(long offset, long count, Stream destination, IProgress<long>? progress = null,
        CancellationToken cancellationToken = default) =>
        RunAsync("read_range", Kind.Stream, f => f.ReadRangeAsync(offset, count, destination, progress, cancellationToken), cancellationToken);

    public Task<long> WriteRangeAsync(long offset, Stream source, long? count = null, IProgress<long>? progress = null,
        CancellationToken cancellationToken = default) =>
        RunAsync("write_range", Kind.Stream, f => f.WriteRangeAsync(offset, source, count, progress, cancellationToken), cancellationToken);

    public Task<BatchReply> BatchAsync(IReadOnlyList<MapOperation> operations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        // A batch that touches the cursor or a lease cannot move with the handle.
        var kind = operations.All(IsPositional) ? Kind.Change : Kind.Cursor;
        return RunAsync("batch", kind, f => f.BatchAsync(operations, cancellationToken), cancellationToken);
    }

    private static bool IsPositional(MapOperation operation) => operation switch
    {
        ReadAt or WriteAt or CompareAndSwap or GetSlice or SetSlice or GetItem or SetItem or Size or Length or Flush or Move
            or Resize or GrowTo or Contains or ToBytes or IsClosed or Madvise => true,
        Find find => find.Start is not null,
        Batch batch => batch.Operations.All(IsPositional),
        _ => false,
    };

    public async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        _closed = true;
        var current = _current;
        if (!current.IsLost)
        {
            await current.File.CloseAsync(cancellationToken).ConfigureAwait(false);
        }
        // A lost owner took the handle with it: nothing is left to close.
    }

    public async ValueTask DisposeAsync()
    {
        _closed = true;
        var current = _current;
        try
        {
            if (!current.IsLost)
            {
                await current.File.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            Forget(current, nodeGone: false);
            _reopening.Dispose();
        }
    }

    public override string ToString() => $"IMappedFile({Key}, {Access}{(Moved ? ", re-opened" : "")})";
}
