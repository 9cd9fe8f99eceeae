using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using MmapActors.Actors;
using MmapActors.Diagnostics;
using MmapActors.Owner;
using MmapActors.Protocol;

namespace MmapActors.Cluster;

/// <summary>
/// The sharded entity of one file, keyed by its canonical path relative to the shared root: a shell around the node-local
/// owner (<see cref="FileOwner"/> over a <see cref="SharedFile"/>, the same as on a single node), which it starts, watches
/// and supervises. Opens are forwarded to the owner, which answers <see cref="MapOpened"/> with its own ref, so operations
/// go to the owner without passing through the entity or the region.
/// </summary>
/// <remarks>
/// What the node-local supervisor does for its owners this entity does for its one: it watches the clients of handles
/// and releases their handles when they die; it passivates (through the shard, so no open is lost) once the owner reports
/// it idle and no open is on its way; and when it stops (passivated, or its shard handed off), the owner stops with it,
/// flushing (msync) and closing every map before the shard moves.
/// <para>Fencing: before an owner maps the file, the entity takes the file's <see cref="OwnerLock"/>, and releases it
/// only once that owner has stopped (its maps flushed and closed). While the lock is refused (a previous owner's process
/// still holds it: frozen, paused, or still stopping after it was downed) no owner starts: opens wait, retrying the lock
/// with a back-off, for at most three quarters of <c>mmap.ask-timeout</c> (so the typed answer reaches the client before
/// its own ask gives up), and are then answered <see cref="MmapErrorCode.PreviousOwnerHoldsFile"/>. So at most one owner
/// in the cluster serves a file, whatever pauses (docs/cluster.md, "Fencing").</para>
/// </remarks>
internal sealed class FileEntity : UntypedActor, IWithTimers
{
    private static readonly TimeSpan FirstLockRetry = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan LastLockRetry = TimeSpan.FromSeconds(1);

    private readonly string _entityId;
    private readonly FileEntityContext _context;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<IActorRef> _clients = new();
    private readonly HashSet<IActorRef> _retired = new(); // owners of a replaced file, still serving their handles
    private readonly Dictionary<IActorRef, OwnerLock> _locks = new(); // each owner's fence, released once it has stopped
    private readonly List<WaitingOpen> _waiting = new(); // opens that wait for a previous owner to release the file
    private TimeSpan _lockRetry = FirstLockRetry;
    private IActorRef? _owner;
    private long _opensForwarded;
    private long _ownerCounter;
    private bool _passivating;

    public FileEntity(string entityId, FileEntityContext context)
    {
        _entityId = entityId;
        _context = context;
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props of the entity of <paramref name="entityId"/>.</summary>
    public static Props Props(string entityId, FileEntityContext context)
    {
        ArgumentException.ThrowIfNullOrEmpty(entityId);
        ArgumentNullException.ThrowIfNull(context);
        return Akka.Actor.Props.Create(() => new FileEntity(entityId, context));
    }

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(
        _context.Settings.MaxRestarts,
        _context.Settings.RestartWithin,
        ex => ex is ActorInitializationException ? Directive.Stop : Directive.Restart);

    protected override void PreStart() => _context.EntityStarted();

    protected override void OnReceive(object message)
    {
        HandleMessage(message);
        // What FindOwner sees: an owner (current or retired) runs here, and the entity is not on its way out.
        _context.SetRunning(_entityId, (_owner is not null || _retired.Count > 0) && !_passivating);
    }

    private void HandleMessage(object message)
    {
        switch (message)
        {
            case OpenMap open when _passivating:
                // Reached the entity after it asked to passivate: the shard buffers it and starts a new entity for it.
                _context.Region.Forward(new ShardingEnvelope(_entityId, open));
                break;
            case OpenMap open:
                Open(open);
                break;
            case GetOwner:
                Sender.Tell(new OwnerLocation(_entityId, Akka.Cluster.Cluster.Get(Context.System).SelfAddress));
                PassivateIfEmpty(); // started only to answer: an entity without an owner does not stay
                break;
            case FileReplaced:
                Retire();
                PassivateIfEmpty();
                break;
            case FileStats stats when _retired.Contains(Sender) && stats.Handles == 0:
                Context.Stop(Sender); // a retired owner without handles has nothing to serve: stop it and release its lock
                break;
            case FileStats:
                break;
            case OwnerIdle idle:
                OnOwnerIdle(idle);
                break;
            case StopFileEntity:
                Context.Stop(Self); // the owners stop first, flushing and closing their maps
                break;
            case RetryLock:
                RetryWaitingOpens();
                break;
            case Terminated terminated:
                OnTerminated(terminated.ActorRef);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Open(OpenMap open)
    {
        if (open.Options is null || open.Client is null || open.Client.IsNobody())
        {
            Sender.Tell(new MmapError(MmapErrorKind.ValueError, "OpenMap needs options and a client", null));
            return;
        }
        if (_owner is null && !TryStartOwner(open, Sender))
        {
            return;
        }
        ForwardToOwner(open, Sender);
    }

    private void ForwardToOwner(OpenMap open, IActorRef sender)
    {
        if (_clients.Add(open.Client))
        {
            Context.Watch(open.Client);
        }
        _opensForwarded++;
        // The owner opens the relative path beneath the root itself (race-free, off its hot path) and answers the sender.
        _owner!.Tell(open, sender);
    }

    /// <summary>Starts an owner if the file's lock can be taken now; otherwise the open waits (or is answered).</summary>
    private bool TryStartOwner(OpenMap open, IActorRef sender)
    {
        if (_waiting.Count > 0)
        {
            _waiting.Add(new WaitingOpen(open, sender, DateTime.UtcNow)); // a retry is already scheduled
            return false;
        }
        switch (TakeLock())
        {
            case OwnerLock fence:
                StartOwner(fence);
                return true;
            case MmapException e:
                sender.Tell(MmapError.From(e)); // what the owner's own open would have met
                PassivateIfEmpty();
                return false;
            default:
                _log.Warning("The previous owner of {0} still holds its lock (its process is alive: frozen, paused or stopping); opens wait for it", _entityId);
                _waiting.Add(new WaitingOpen(open, sender, DateTime.UtcNow));
                _lockRetry = FirstLockRetry;
                Timers.StartSingleTimer(RetryLock.Instance, RetryLock.Instance, _lockRetry);
                return false;
        }
    }

    /// <summary>The lock, an error the open must be answered with, or null while another description holds it.</summary>
    private object? TakeLock()
    {
        try
        {
            return OwnerLock.TryTake(_context.Root, _entityId);
        }
        catch (MmapException e)
        {
            return e;
        }
    }

    private void StartOwner(OwnerLock fence)
    {
        var file = new SharedFile(_context.KeyOf(_entityId), null, _context.Root, _context.Settings, _context.Budget);
        _owner = Context.ActorOf(FileOwner.Props(new OwnerState(file), _context.Settings), $"owner-{++_ownerCounter}");
        _locks.Add(_owner, fence);
        Context.Watch(_owner);
        _opensForwarded = 0;
        MmapMetrics.FileOpened();
        _context.SetRunning(_entityId, true); // before the owner can answer the open: a stat after it finds the owner
    }

    /// <summary>Tries the lock again for the opens that wait; answers those that have waited their time.</summary>
    private void RetryWaitingOpens()
    {
        if (_waiting.Count == 0 || _owner is not null)
        {
            return;
        }
        var waiting = _waiting.ToArray();
        switch (TakeLock())
        {
            case OwnerLock fence:
                _waiting.Clear();
                StartOwner(fence);
                _log.Info("The previous owner of {0} released it; serving it here", _entityId);
                foreach (var w in waiting)
                {
                    ForwardToOwner(w.Open, w.Sender);
                }
                return;
            case MmapException e:
                _waiting.Clear();
                foreach (var w in waiting)
                {
                    w.Sender.Tell(MmapError.From(e));
                }
                PassivateIfEmpty();
                return;
        }
        var now = DateTime.UtcNow;
        var wait = MaxLockWait;
        foreach (var w in waiting.Where(w => now - w.Since >= wait))
        {
            _waiting.Remove(w);
            w.Sender.Tell(OwnerLock.PreviousOwnerHolds(_context.KeyOf(_entityId), now - w.Since));
        }
        if (_waiting.Count == 0)
        {
            PassivateIfEmpty();
            return;
        }
        // Back off, but never past the first deadline: the typed answer must not be late.
        _lockRetry = TimeSpan.FromTicks(Math.Min(_lockRetry.Ticks * 2, LastLockRetry.Ticks));
        var untilFirstDeadline = _waiting.Min(w => w.Since) + wait - now;
        Timers.StartSingleTimer(RetryLock.Instance, RetryLock.Instance,
            untilFirstDeadline < _lockRetry ? untilFirstDeadline : _lockRetry);
    }

    /// <summary>How long an open waits for a previous owner's lock: three quarters of the ask time-out, so that the typed
    /// answer reaches the client before its own ask gives up.</summary>
    private TimeSpan MaxLockWait => TimeSpan.FromTicks(_context.Settings.AskTimeout.Ticks * 3 / 4);

    private void ReleaseLock(IActorRef owner)
    {
        if (_locks.Remove(owner, out var fence))
        {
            fence.Dispose(); // the owner has stopped: its maps are flushed and closed
        }
    }

    /// <summary>The file was replaced: its current owner keeps the handles open on the old file, and later opens get a new owner.</summary>
    private void Retire()
    {
        if (_owner is not null)
        {
            _retired.Add(_owner);
            // No open reaches it any more: if it has no handle now it never will, and it can stop (and let go of the
            // file's lock) at once rather than after mmap.idle-timeout; the next owner of the name may need that lock.
            _owner.Tell(GetFileStats.Instance);
            _owner = null;
        }
    }

    private void OnOwnerIdle(OwnerIdle idle)
    {
        if (_retired.Contains(Sender))
        {
            Context.Stop(Sender); // no open reaches a retired owner: idle is final
            return;
        }
        if (Sender.Equals(_owner) && idle.OpensSeen == _opensForwarded && _retired.Count == 0 && !_passivating)
        {
            // Every open forwarded has been seen and no handle is left: stop through the shard, which holds any open
            // that arrives meanwhile and delivers it to the next incarnation.
            _passivating = true;
            Context.Parent.Tell(new Passivate(StopFileEntity.Instance));
        }
    }

    private void OnTerminated(IActorRef actor)
    {
        if (actor.Equals(_owner) || _retired.Remove(actor))
        {
            ReleaseLock(actor);
            MmapMetrics.FilesClosed(1);
            if (actor.Equals(_owner))
            {
                // Not by passivation (that stops the entity first): the owner failed too often or could not re-open.
                _owner = null;
                _log.Error("The owner of {0} stopped after repeated failures; its handles are lost", _entityId);
                Context.System.EventStream.Publish(new OwnerFailed(_context.KeyOf(_entityId)));
            }
            PassivateIfEmpty();
            return;
        }
        if (_clients.Remove(actor))
        {
            _owner?.Tell(new ReleaseClient(actor));
            foreach (var retired in _retired)
            {
                retired.Tell(new ReleaseClient(actor));
            }
        }
    }

    private void PassivateIfEmpty()
    {
        if (_owner is null && _retired.Count == 0 && _waiting.Count == 0 && !_passivating)
        {
            _passivating = true;
            Context.Parent.Tell(new Passivate(StopFileEntity.Instance));
        }
    }

    protected override void PostStop()
    {
        _context.SetRunning(_entityId, false);
        // The owners are children: they have stopped (flushed and closed) before this runs.
        int owners = (_owner is null ? 0 : 1) + _retired.Count;
        if (owners > 0)
        {
            MmapMetrics.FilesClosed(owners);
        }
        foreach (var fence in _locks.Values)
        {
            fence.Dispose();
        }
        _locks.Clear();
        foreach (var w in _waiting)
        {
            w.Sender.Tell(OwnerLock.PreviousOwnerHolds(_context.KeyOf(_entityId), DateTime.UtcNow - w.Since));
        }
        _waiting.Clear();
    }

    /// <summary>An open waiting for the file's lock, since when, and whom to answer.</summary>
    private sealed record WaitingOpen(OpenMap Open, IActorRef Sender, DateTime Since);

    /// <summary>Try the file's lock again (a timer of the entity's own).</summary>
    private sealed class RetryLock
    {
        public static readonly RetryLock Instance = new();
    }
}
