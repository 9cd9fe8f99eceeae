using MmapActors.Diagnostics;
using MmapActors.Protocol;

namespace MmapActors.Owner;

/// <summary>
/// The unit of serialization of one file: whoever holds the turn is the only thread touching the file's
/// <see cref="SharedFile"/>. The owner actor holds it while it handles a message, for as long as a blocking request runs
/// off its hot path, while it re-opens its maps after a restart, and for good once it has stopped. An in-process caller
/// whose owner is idle may take it with <see cref="TryRun"/> and run a short data operation on its own thread, saving
/// the two thread hops of a mailbox round trip; whenever the turn is taken, the owner is waiting for it, or the
/// operation is not one that may run inline, <see cref="TryRun"/> declines and the caller sends the request instead.
/// </summary>
/// <remarks>
/// <para>Guarantees: every operation on the file still runs whole and one at a time, inline or in the owner (the turn is
/// taken and released with full fences, so each holder sees everything the previous one wrote), with one exception that
/// nobody can observe: positional reads (<see cref="MapOperation.SharesTurn"/>) share the turn with each other, as
/// readers share a reader-writer lock, because neither changes anything the other sees; every other operation,
/// the owner's included, excludes them. Only operations that
/// neither block (<see cref="MapOperation.MayBlock"/>) nor change the file's handles or mappings
/// (<see cref="MapOperation.MayRunInline"/>) run inline: opening, closing, resizing, flushing, advice and leases always go
/// through the owner. Operations that run inline are counted by <see cref="MmapMetrics"/> like the owner's.</para>
/// <para>No starvation of the mailbox: the owner raises a flag before it waits for the turn, and callers that see it
/// decline until the owner has had its turn. An inline operation is bounded (at most
/// <see cref="MapOperation.BlockingBytes"/> copied), so the owner waits at most that long.</para>
/// <para>An unexpected exception inline (a bug, never a Python error: those are replies) leaves the file to the owner:
/// inline callers decline from then on, and the owner, told through the failure observer, restarts as if the operation
/// had failed in it before anyone touches the file again; the caller gets the owner's restart error. Ordering between one caller's requests is the caller's business: a caller must not run
/// inline while one of its own requests may still be in the owner's mailbox (see <c>MappedFile</c>).</para>
/// </remarks>
internal sealed class FileTurn
{
    // The state is the number of shared operations running (readers: 1, 2, ...), Free, or who else holds the turn.
    private const int Free = 0, Inline = -1, Owner = -2, Stopped = -3;

    private readonly SharedFile _file;
    private int _state;
    private int _ownerWaiting;
    // One per file: at most 8 cells (1 KiB), not one per processor of a large machine (8 KiB on 64 cores) for every open file.
    private readonly StripedCounter _inlineRuns = new(StripedCounter.PerProcessor(8));
    private Exception? _failure;
    private Action<Exception>? _failureObserver;

    /// <param name="file">The file the turn serializes.</param>
    public FileTurn(SharedFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        _file = file;
    }

    /// <summary>Whether the owner has stopped: the turn is never free again.</summary>
    public bool IsStopped => Volatile.Read(ref _state) == Stopped;

    /// <summary>Whether a shared operation (<see cref="MapOperation.SharesTurn"/>) would be let in now: a hint for callers
    /// that prepare differently for an inline run, never a promise (the turn may be taken the next moment).</summary>
    public bool AdmitsSharedNow => Volatile.Read(ref _state) >= Free && Volatile.Read(ref _ownerWaiting) == 0 && Volatile.Read(ref _failure) is null;

    /// <summary>Operations run inline so far (tests and diagnostics read it).</summary>
    public long InlineRuns => _inlineRuns.Value;

    /// <summary>
    /// Runs <paramref name="operation"/> on handle <paramref name="handleId"/> on the calling thread, if the turn is free
    /// (or, for an operation that <see cref="MapOperation.SharesTurn"/>, held only by other such operations), the owner is
    /// not waiting for it and the operation may run inline; otherwise does nothing and returns false.
    /// </summary>
    /// <param name="handleId">The handle, as <see cref="MapOpened.HandleId"/> gives it.</param>
    /// <param name="operation">What to run; any caller memory it holds is done with when this returns.</param>
    /// <param name="reply">The owner's reply, as it would have sent it; set only when this returns true.</param>
    /// <returns>True when the operation ran (successfully or not: <paramref name="reply"/> says); false when the caller
    /// must send it to the owner instead.</returns>
    public bool TryRun(long handleId, MapOperation operation, out MapReply reply)
    {
        ArgumentNullException.ThrowIfNull(operation);
        reply = null!;
        if (!operation.MayRunInline || Volatile.Read(ref _ownerWaiting) != 0)
        {
            return false;
        }
        return operation.SharesTurn ? TryRunShared(handleId, operation, out reply) : TryRunAlone(handleId, operation, out reply);
    }

    private bool TryRunAlone(long handleId, MapOperation operation, out MapReply reply)
    {
        reply = null!;
        if (Interlocked.CompareExchange(ref _state, Inline, Free) != Free)
        {
            return false;
        }
        if (Volatile.Read(ref _failure) is not null || _file.MayBlock(handleId, operation))
        {
            Volatile.Write(ref _state, Free);
            return false;
        }
        try
        {
            reply = _file.Execute(handleId, operation);
        }
        catch (Exception e)
        {
            reply = Fail(operation, e);
            Volatile.Write(ref _state, Free);
            return true;
        }
        Volatile.Write(ref _state, Free);
        Ran(operation, reply);
        return true;
    }

    /// <summary>A read that neither uses nor moves a cursor changes nothing another such read sees, so any number of them
    /// share the turn; an exclusive holder (the owner, an inline write) waits until the last one leaves.</summary>
    private bool TryRunShared(long handleId, MapOperation operation, out MapReply reply)
    {
        reply = null!;
        int seen = Volatile.Read(ref _state);
        while (true)
        {
            if (seen < Free)
            {
                return false;
            }
            int found = Interlocked.CompareExchange(ref _state, seen + 1, seen);
            if (found == seen)
            {
                break;
            }
            seen = found;
        }
        MapReply? result;
        try
        {
            result = Volatile.Read(ref _failure) is null ? _file.ExecuteShared(handleId, operation) : null;
        }
        catch (Exception e)
        {
            reply = Fail(operation, e);
            Interlocked.Decrement(ref _state);
            return true;
        }
        Interlocked.Decrement(ref _state);
        if (result is null)
        {
            return false; // it may block (the owner runs it off its hot path), or the file awaits the owner's restart
        }
        reply = result;
        Ran(operation, reply);
        return true;
    }

    private void Ran(MapOperation operation, MapReply reply)
    {
        _inlineRuns.Increment();
        MmapMetrics.RecordOperation(operation, reply);
    }

    /// <summary>
    /// An unexpected exception inline (a bug): the file may be in any state, so no inline caller touches it again (each
    /// checks for a failure once it holds the turn) until the owner, told through the observer, has taken the turn and
    /// restarted. The caller gets the owner's restart error.
    /// </summary>
    private MapReply Fail(MapOperation operation, Exception e)
    {
        Interlocked.CompareExchange(ref _failure, e, null);
        var reply = OwnerRestartError(_file.Key, e);
        MmapMetrics.RecordOperation(operation, reply);
        _failureObserver?.Invoke(e);
        return reply;
    }

    /// <summary>The owner: who to tell when an inline operation failed unexpectedly (the owner's mailbox).</summary>
    internal void ObserveFailures(Action<Exception> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        _failureObserver = observer;
    }

    /// <summary>
    /// The owner takes the turn, waiting for inline operations to end (callers decline meanwhile). Re-entrant for the
    /// owner: a turn the owner kept (blocked, re-opening, failed in a message) is its already.
    /// </summary>
    /// <returns>Null, or the exception of an inline operation that failed since the owner last held the turn: the owner
    /// must restart now (it holds the turn).</returns>
    internal Exception? Enter()
    {
        int seen = Interlocked.CompareExchange(ref _state, Owner, Free);
        if (seen != Free && seen != Owner && seen != Stopped)
        {
            Volatile.Write(ref _ownerWaiting, 1);
            try
            {
                var spin = new SpinWait();
                do
                {
                    spin.SpinOnce(); // inline operations are running: they are short and bounded
                    seen = Interlocked.CompareExchange(ref _state, Owner, Free);
                }
                while (seen != Free && seen != Owner && seen != Stopped);
            }
            finally
            {
                Volatile.Write(ref _ownerWaiting, 0);
            }
        }
        return Interlocked.Exchange(ref _failure, null);
    }

    /// <summary>The owner gives the turn back (inline callers may take it again).</summary>
    internal void Exit()
    {
        if (Volatile.Read(ref _state) == Owner)
        {
            Volatile.Write(ref _state, Free);
        }
    }

    /// <summary>The owner stops: it takes the turn (waiting for inline operations to end) and never gives it back.</summary>
    internal void Stop()
    {
        Enter();
        Volatile.Write(ref _state, Stopped);
    }

    /// <summary>The reply to a request that was running when its owner failed.</summary>
    internal static MmapError OwnerRestartError(string key, Exception reason) =>
        new(MmapErrorKind.OSError,
            $"[Errno 5] Input/output error: the owner of {key} failed ({reason.GetType().Name}: {reason.Message}) and is restarting; " +
            "the operation may not have been applied", 5) { Code = MmapErrorCode.OwnerRestarted };
}
