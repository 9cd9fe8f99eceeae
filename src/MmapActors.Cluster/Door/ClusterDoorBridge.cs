using Akka.Actor;
using MmapActors.Actors;
using MmapActors.Protocol;
using MmapActors.Remote.Server;

namespace MmapActors.Cluster.Door;

/// <summary>
/// The in-process bridge between a node's client door and its member system (docs/cluster.md, "The client door"): the
/// door's sessions send it what they would send a supervisor, and it passes each request into the member system (to the
/// router, or to the owner of the handle) with a sender of the member system, answering the session in-process. Refs of
/// one system never travel in the other's messages: the member system sees a <see cref="SessionProxy"/> as the client of
/// a session's handles, and the session sees this bridge as the owner of every handle, under ids of its own.
/// </summary>
/// <remarks>
/// <para>Each request gets a <see cref="BridgeRelay"/> as its sender: one small object, whose answer comes back here
/// tagged with the request's number, as a door session's relays do. No Ask, no task, no registration per request: the
/// relays of a bridge resolve through one <see cref="RelayContainer"/>, and the owners its handles use are watched once
/// each by one <see cref="OwnerWatch"/>. Requests that stay unanswered for the ask time-out (a message lost between
/// members) are answered with a time-out error by a periodic sweep.</para>
/// <para>The door stays exactly as strict as a single server's (it is the same door, with the same serializers, sessions
/// and budgets); only the target of its sessions changes. A handle whose owner's node dies answers a request in flight
/// with <see cref="MmapErrorCode.OwnerMoved"/> as soon as the member system knows, and so does every later request:
/// remote clients re-open the file (their handles do not re-open by themselves).</para>
/// </remarks>
internal sealed class ClusterDoorBridge : UntypedActor, IWithTimers
{
    private enum PendingKind { Open, Operation, Router, Stat, StatOwner }

    private sealed record Pending(PendingKind Kind, IActorRef ReplyTo, long Deadline)
    {
        /// <summary>Open: the session the handle is for.</summary>
        public IActorRef? Session { get; init; }

        /// <summary>Operation: the bridge's handle id, its owner and the operation.</summary>
        public long HandleId { get; init; }

        public IActorRef? Owner { get; init; }

        public MapOperation? Operation { get; init; }

        /// <summary>Stat: the path; StatOwner: the status found, waiting for its owner.</summary>
        public string? Path { get; init; }

        public FileStatus? Status { get; init; }
    }

    private sealed record Bridged(IActorRef Owner, long OwnerHandleId, IActorRef Session);

    /// <summary>A door session's stand-in in the member system, and the bridge's ids of the handles it holds (so that
    /// its end forgets them without a scan of every session's handles).</summary>
    private sealed record SessionEntry(IActorRef Proxy)
    {
        public HashSet<long> Handles { get; } = new();
    }

    private sealed class OwnerEntry
    {
        public int Handles { get; set; }

        /// <summary>The owner's node is gone: every request on its handles is answered OwnerMoved at once.</summary>
        public bool NodeGone { get; set; }
    }

    private sealed record SweepTick
    {
        public static SweepTick Instance { get; } = new();
    }

    private readonly ActorSystem _member;
    private readonly IActorRef _router;
    private readonly TimeSpan _timeout;
    private readonly long _timeoutMs;
    private readonly Dictionary<long, Pending> _pending = new();
    private readonly Dictionary<long, Bridged> _handles = new();
    private readonly Dictionary<IActorRef, SessionEntry> _sessions = new(); // door session -> its stand-in in the member system
    private readonly Dictionary<IActorRef, OwnerEntry> _owners = new();
    private RelayContainer _relays = null!;
    private IActorRef _watch = ActorRefs.Nobody;
    private long _nextHandleId;
    private long _nextCorrelation;

    public ClusterDoorBridge(ActorSystem member, IActorRef router, TimeSpan timeout)
    {
        _member = member;
        _router = router;
        _timeout = timeout;
        _timeoutMs = (long)timeout.TotalMilliseconds;
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props of the bridge to <paramref name="router"/> in the member system <paramref name="member"/>.</summary>
    public static Props Props(ActorSystem member, IActorRef router, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(member);
        ArgumentNullException.ThrowIfNull(router);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        return Akka.Actor.Props.Create(() => new ClusterDoorBridge(member, router, timeout)).WithDeploy(Deploy.Local);
    }

    protected override void PreStart()
    {
        _relays = RelayContainer.Register(_member, Self);
        _watch = MemberSystemActors.Start(_member, OwnerWatch.Props(Self));
        // Often enough that a lost request is answered within about 1.25 x the time-out, rarely enough to cost nothing.
        Timers.StartPeriodicTimer("sweep", SweepTick.Instance, TimeSpan.FromTicks(Math.Clamp(_timeout.Ticks / 4, TimeSpan.TicksPerMillisecond * 50, TimeSpan.TicksPerSecond)));
    }

    protected override void PostStop()
    {
        if (_member.WhenTerminated.IsCompleted)
        {
            return; // the member system is gone, and everything the bridge had in it
        }
        _relays.Unregister();
        _member.Stop(_watch);
        foreach (var entry in _sessions.Values)
        {
            _member.Stop(entry.Proxy);
        }
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Relayed relayed:
                OnAnswer(relayed);
                break;
            case MapRequest { Operation: not null } request:
                OnMapRequest(request);
                break;
            case OpenMap { Options: not null, Client: not null } open when !open.Client.IsNobody():
                Send(_router, new OpenMap(open.Options, ProxyFor(open.Client)), new Pending(PendingKind.Open, Sender, Deadline()) { Session = open.Client });
                break;
            case OpenMap:
                Sender.Tell(new MmapError(MmapErrorKind.ValueError, "OpenMap needs options and a client", null));
                break;
            case StatFile stat:
                Send(_router, stat, new Pending(PendingKind.Stat, Sender, Deadline()) { Path = stat.Path });
                break;
            case IssueDataPlaneTicket:
                Sender.Tell(new MmapError(MmapErrorKind.OSError, "[Errno 95] Operation not supported: a cluster node's door offers no data plane", 95));
                break;
            case CreateFile or ListDirectory or CommitFile:
                Send(_router, message, new Pending(PendingKind.Router, Sender, Deadline()));
                break;
            case OwnerWatch.Lost lost:
                OnOwnerLost(lost);
                break;
            case SweepTick:
                Sweep();
                break;
            case Terminated terminated:
                OnSessionEnded(terminated.ActorRef);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private long Deadline() => Environment.TickCount64 + _timeoutMs;

    private void Send(IActorRef target, object message, Pending pending)
    {
        long correlation = ++_nextCorrelation;
        _pending.Add(correlation, pending);
        target.Tell(message, _relays.Relay(correlation));
    }

    private void OnMapRequest(MapRequest request)
    {
        if (!_handles.TryGetValue(request.HandleId, out var handle))
        {
            Sender.Tell(request.Operation.RunClosed());
            return;
        }
        if (_owners.TryGetValue(handle.Owner, out var owner) && owner.NodeGone)
        {
            // The owner's node is already gone: answer now, not after a time-out to a dead letter (a client hammering a
            // lost handle would otherwise keep a pending request per call). Closing it succeeds, as closing twice does
            // (nothing is left to close), and forgets it.
            if (request.Operation is Close)
            {
                Forget(request.HandleId);
                Sender.Tell(Done.Instance);
                return;
            }
            Sender.Tell(OwnerMoved());
            return;
        }
        Send(handle.Owner, new MapRequest(handle.OwnerHandleId, request.Operation),
            new Pending(PendingKind.Operation, Sender, Deadline()) { HandleId = request.HandleId, Owner = handle.Owner, Operation = request.Operation });
    }

    private IActorRef ProxyFor(IActorRef session)
    {
        if (!_sessions.TryGetValue(session, out var entry))
        {
            entry = new SessionEntry(MemberSystemActors.Start(_member, SessionProxy.Props(), $"door-session-{Guid.NewGuid():N}"));
            _sessions.Add(session, entry);
            Context.Watch(session);
        }
        return entry.Proxy;
    }

    private void OnAnswer(Relayed relayed)
    {
        if (!_pending.Remove(relayed.Correlation, out var pending))
        {
            // Already answered (its owner's node went, or it timed out). An open that succeeded after all would leave a
            // handle open for nobody until the session ends: close it.
            if (relayed.Reply is MapOpened late)
            {
                late.Owner.Tell(new MapRequest(late.HandleId, Close.Instance), ActorRefs.NoSender);
            }
            return;
        }
        switch (pending.Kind)
        {
            case PendingKind.Open:
                OnOpened(pending, relayed.Reply);
                break;
            case PendingKind.Operation:
                // The session forgets a handle that a Close closed, in a batch or not (SessionOperations.Closes): the
                // bridge must too, or a client that closes in batches and opens again grows this table for as long as
                // its session lives.
                if (relayed.Reply is MapReply reply &&
                    (SessionOperations.Closes(pending.Operation!, reply) || pending.Operation is Close && reply is MmapError { Code: MmapErrorCode.OwnerMoved }))
                {
                    Forget(pending.HandleId);
                }
                pending.ReplyTo.Tell(relayed.Reply);
                break;
            case PendingKind.Stat when relayed.Reply is FileStatus { Kind: "file" } status:
                // A file: say which member runs its owner, if one does, without starting one (FindOwner).
                Send(_router, new FindOwner(pending.Path!), new Pending(PendingKind.StatOwner, pending.ReplyTo, Deadline()) { Status = status });
                break;
            case PendingKind.StatOwner:
                pending.ReplyTo.Tell(relayed.Reply is OwnerLocation location ? pending.Status! with { Owner = location.Node.ToString() } : pending.Status!);
                break;
            default:
                pending.ReplyTo.Tell(relayed.Reply);
                break;
        }
    }

    private void OnOpened(Pending pending, object reply)
    {
        if (reply is not MapOpened opened)
        {
            pending.ReplyTo.Tell(reply);
            return;
        }
        if (!_sessions.TryGetValue(pending.Session!, out var session))
        {
            // The session ended while the open ran: its stand-in is gone, and with it the handle; say nothing.
            return;
        }
        long id = ++_nextHandleId;
        _handles.Add(id, new Bridged(opened.Owner, opened.HandleId, pending.Session!));
        session.Handles.Add(id);
        if (!_owners.TryGetValue(opened.Owner, out var owner))
        {
            owner = new OwnerEntry();
            _owners.Add(opened.Owner, owner);
            _watch.Tell(new OwnerWatch.Watch(opened.Owner));
        }
        owner.Handles++;
        pending.ReplyTo.Tell(new MapOpened(Self, id, opened.Key, opened.Access) { Length = opened.Length, IsPrivate = opened.IsPrivate });
    }

    /// <summary>An owner stopped. Its node gone: every request waiting for it is answered now (it may or may not have been
    /// applied), and so is every later one. Stopped on a live node (hand-off, passivation): that node answers what reaches
    /// the stopped owner as not applied, so there is nothing to do here but stop watching.</summary>
    private void OnOwnerLost(OwnerWatch.Lost lost)
    {
        if (!_owners.TryGetValue(lost.Owner, out var owner) || !lost.NodeGone)
        {
            return;
        }
        owner.NodeGone = true;
        foreach (var (correlation, pending) in _pending.Where(p => p.Value.Kind == PendingKind.Operation && lost.Owner.Equals(p.Value.Owner)).ToList())
        {
            _pending.Remove(correlation);
            if (pending.Operation is Close)
            {
                Forget(pending.HandleId);
                pending.ReplyTo.Tell(Done.Instance); // the handle is gone with its owner: closed, as far as anyone can tell
                continue;
            }
            pending.ReplyTo.Tell(OwnerMoved());
        }
    }

    /// <summary>Answers every request older than the time-out: its message or its answer was lost between members.</summary>
    private void Sweep()
    {
        long now = Environment.TickCount64;
        List<long>? expired = null;
        foreach (var (correlation, pending) in _pending)
        {
            if (now >= pending.Deadline)
            {
                (expired ??= new()).Add(correlation);
            }
        }
        if (expired is null)
        {
            return;
        }
        foreach (long correlation in expired)
        {
            _pending.Remove(correlation, out var pending);
            pending!.ReplyTo.Tell(pending.Kind == PendingKind.StatOwner
                ? pending.Status! // the size is known; only the owner is not
                : new MmapError(MmapErrorKind.OSError, $"[Errno 110] Connection timed out: the cluster did not answer within {_timeout}", 110));
        }
    }

    private void Forget(long handleId)
    {
        if (!_handles.Remove(handleId, out var handle))
        {
            return;
        }
        if (_sessions.TryGetValue(handle.Session, out var entry))
        {
            entry.Handles.Remove(handleId);
        }
        if (_owners.TryGetValue(handle.Owner, out var owner) && --owner.Handles == 0)
        {
            _owners.Remove(handle.Owner);
            _watch.Tell(new OwnerWatch.Unwatch(handle.Owner));
        }
    }

    private void OnSessionEnded(IActorRef session)
    {
        if (!_sessions.Remove(session, out var entry))
        {
            return;
        }
        _member.Stop(entry.Proxy); // the owners release the session's handles
        foreach (long id in entry.Handles.ToList())
        {
            Forget(id);
        }
    }

    private static MmapError OwnerMoved() => new(MmapErrorKind.OSError,
        "[Errno 116] Stale file handle: the file's owner's node failed while the request ran; it may or may not have been applied (open the file again)", 116)
    {
        Code = MmapErrorCode.OwnerMoved,
    };
}
