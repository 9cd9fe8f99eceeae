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
/// taken and released with full fences, so each holder sees everything the previous one wrote). Only operations that
/// neither block (<see cref="MapOperation.MayBlock"/>) nor change the file's handles or mappings
/// (<see cref="MapOperation.MayRunInline"/>) run inline: opening, closing, resizing, flushing, advice and leases always go
/// through the owner. Operations that run inline are counted by <see cref="MmapMetrics"/> like the owner's.</para>
/// <para>No starvation of the mailbox: the owner raises a flag before it waits for the turn, and callers that see it
/// decline until the owner has had its turn. An inline operation is bounded (at most
/// <see cref="MapOperation.BlockingBytes"/> copied), so the owner waits at most that long.</para>
/// <para>An unexpected exception inline (a bug, never a Python error: those are replies) leaves the turn with the
/// owner, which is told through the failure observer and restarts as if the operation had failed in it; the caller gets
/// the owner's restart error. Ordering between one caller's requests is the caller's business: a caller must not run
/// inline while one of its own requests may still be in the owner's mailbox (see <c>MappedFile</c>).</para>
/// </remarks>
internal sealed class FileTurn
{
    private const int Free = 0, Inline = 1, Owner = 2, Failed = 3, Stopped = 4;

    private readonly SharedFile _file;
    private int _state;
    private int _ownerWaiting;
    private long _inlineRuns;
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

    /// <summary>Operations run inline so far (counted under the turn: tests and diagnostics read it).</summary>
    public long InlineRuns => Volatile.Read(ref _inlineRuns);

    /// <summary>
    /// Runs <paramref name="operation"/> on handle <paramref name="handleId"/> on the calling thread, if the turn is free,
    /// the owner is not waiting for it and the operation may run inline; otherwise does nothing and returns false.
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
        if (!operation.MayRunInline || Volatile.Read(ref _ownerWaiting) != 0 ||
            Interlocked.CompareExchange(ref _state, Inline, Free) != Free)
        {
            return false;
        }
        try
        {
            if (_file.MayBlock(handleId, operation))
            {
                Volatile.Write(ref _state, Free);
                return false;
            }
            reply = _file.Execute(handleId, operation);
            _inlineRuns++; // under the turn: no other writer
        }
        catch (Exception e)
        {
            // The file may be in any state: it stays with the owner, which restarts before anyone touches it again.
            _failure = e;
            Volatile.Write(ref _state, Failed);
            reply = OwnerRestartError(_file.Key, e);
            MmapMetrics.RecordOperation(operation, reply);
            _failureObserver?.Invoke(e);
            return true;
        }
        Volatile.Write(ref _state, Free);
        MmapMetrics.RecordOperation(operation, reply);
        return true;
    }

    /// <summary>The owner: who to tell when an inline operation failed unexpectedly (the owner's mailbox).</summary>
    internal void ObserveFailures(Action<Exception> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        _failureObserver = observer;
    }

    /// <summary>
    /// The owner takes the turn, waiting for an inline operation to end (callers decline meanwhile). Re-entrant for the
    /// owner: a turn the owner kept (blocked, re-opening, failed in a message) is its already.
    /// </summary>
    /// <returns>Null, or the exception of an inline operation that failed since the owner last held the turn: the owner
    /// must restart now (it holds the turn).</returns>
    internal Exception? Enter()
    {
        int seen = Interlocked.CompareExchange(ref _state, Owner, Free);
        if (seen == Free || seen == Owner || seen == Stopped)
        {
            return null;
        }
        Volatile.Write(ref _ownerWaiting, 1);
        try
        {
            var spin = new SpinWait();
            while (true)
            {
                seen = Interlocked.CompareExchange(ref _state, Owner, Free);
                switch (seen)
                {
                    case Free or Owner or Stopped:
                        return null;
                    case Failed:
                        var failure = _failure;
                        _failure = null;
                        Volatile.Write(ref _state, Owner);
                        return failure;
                }
                spin.SpinOnce(); // an inline operation is running: it is short and bounded
            }
        }
        finally
        {
            Volatile.Write(ref _ownerWaiting, 0);
        }
    }

    /// <summary>The owner gives the turn back (inline callers may take it again).</summary>
    internal void Exit()
    {
        if (Volatile.Read(ref _state) == Owner)
        {
            Volatile.Write(ref _state, Free);
        }
    }

    /// <summary>The owner stops: it takes the turn (waiting for an inline operation to end) and never gives it back.</summary>
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
