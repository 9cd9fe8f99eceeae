using Akka.Actor;
using MmapActors.Actors;
using MmapActors.Client;
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
/// The door stays exactly as strict as a single server's (it is the same door, with the same serializers, sessions and
/// budgets); only the target of its sessions changes. A handle whose owner's node dies answers a request in flight with
/// <see cref="MmapErrorCode.OwnerMoved"/> as soon as the member system knows, and so does every later request: remote
/// clients re-open the file (their handles do not re-open by themselves).
/// </remarks>
internal sealed class ClusterDoorBridge : UntypedActor
{
    private sealed record Bridged(IActorRef Owner, long OwnerHandleId, IActorRef Session, Task<bool> Lost);

    private sealed record Answer(IActorRef ReplyTo, object Reply, IActorRef? OpenedFor, long HandleId, MapOperation? Operation);

    /// <summary>A door session's stand-in in the member system, and the bridge's ids of the handles it holds (so that
    /// its end forgets them without a scan of every session's handles).</summary>
    private sealed record SessionEntry(IActorRef Proxy)
    {
        public HashSet<long> Handles { get; } = new();
    }

    private sealed record OwnerWatch(IActorRef Watcher, Task<bool> Lost)
    {
        public int Handles { get; set; }
    }

    private readonly ActorSystem _member;
    private readonly IActorRef _router;
    private readonly TimeSpan _timeout;
    private readonly Dictionary<long, Bridged> _handles = new();
    private readonly Dictionary<IActorRef, SessionEntry> _sessions = new(); // door session -> its stand-in in the member system
    private readonly Dictionary<IActorRef, OwnerWatch> _owners = new();
    private long _nextHandleId;

    public ClusterDoorBridge(ActorSystem member, IActorRef router, TimeSpan timeout)
    {
        _member = member;
        _router = router;
        _timeout = timeout;
    }

    /// <summary>Props of the bridge to <paramref name="router"/> in the member system <paramref name="member"/>.</summary>
    public static Props Props(ActorSystem member, IActorRef router, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(member);
        ArgumentNullException.ThrowIfNull(router);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        return Akka.Actor.Props.Create(() => new ClusterDoorBridge(member, router, timeout)).WithDeploy(Deploy.Local);
    }

    protected override void PostStop()
    {
        foreach (var entry in _sessions.Values)
        {
            _member.Stop(entry.Proxy);
        }
        foreach (var watch in _owners.Values)
        {
            _member.Stop(watch.Watcher);
        }
    }

    protected override void OnReceive(object message)
    {
        var sender = Sender;
        switch (message)
        {
            case OpenMap { Options: not null, Client: not null } open when !open.Client.IsNobody():
                var proxy = ProxyFor(open.Client);
                AskAsync(_router, new OpenMap(open.Options, proxy), null)
                    .PipeTo(Self, success: reply => new Answer(sender, reply, open.Client, 0, null));
                break;
            case OpenMap:
                sender.Tell(new MmapError(MmapErrorKind.ValueError, "OpenMap needs options and a client", null));
                break;
            case MapRequest { Operation: not null } request:
                if (!_handles.TryGetValue(request.HandleId, out var handle))
                {
                    sender.Tell(request.Operation.RunClosed());
                    break;
                }
                AskAsync(handle.Owner, new MapRequest(handle.OwnerHandleId, request.Operation), handle.Lost)
                    .PipeTo(Self, success: reply => new Answer(sender, reply, null, request.HandleId, request.Operation));
                break;
            case StatFile stat:
                StatWithOwnerAsync(stat).PipeTo(sender);
                break;
            case IssueDataPlaneTicket:
                sender.Tell(new MmapError(MmapErrorKind.OSError, "[Errno 95] Operation not supported: a cluster node's door offers no data plane", 95));
                break;
            case CreateFile or ListDirectory or CommitFile:
                AskAsync(_router, message, null).PipeTo(sender);
                break;
            case Answer answer:
                OnAnswer(answer);
                break;
            case Terminated terminated:
                OnSessionEnded(terminated.ActorRef);
                break;
            default:
                Unhandled(message);
                break;
        }
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

    private void OnAnswer(Answer answer)
    {
        if (answer.Reply is MapOpened opened && answer.OpenedFor is { } session)
        {
            if (!_sessions.TryGetValue(session, out var entry))
            {
                // The session ended while the open ran: its stand-in is gone, and with it the handle; say nothing.
                return;
            }
            long id = ++_nextHandleId;
            _handles.Add(id, new Bridged(opened.Owner, opened.HandleId, session, Watch(opened.Owner)));
            entry.Handles.Add(id);
            answer.ReplyTo.Tell(new MapOpened(Self, id, opened.Key, opened.Access) { Length = opened.Length, IsPrivate = opened.IsPrivate });
            return;
        }
        // The session forgets a handle that a Close closed, in a batch or not (SessionOperations.Closes): the bridge must
        // too, or a client that closes in batches and opens again grows this table for as long as its session lives.
        if (answer.Operation is { } operation && answer.Reply is MapReply reply &&
            (SessionOperations.Closes(operation, reply) || operation is Close && reply is MmapError { Code: MmapErrorCode.OwnerMoved }))
        {
            Forget(answer.HandleId);
        }
        answer.ReplyTo.Tell(answer.Reply);
    }

    private Task<bool> Watch(IActorRef owner)
    {
        if (!_owners.TryGetValue(owner, out var watch) || watch.Lost.IsCompleted)
        {
            var lost = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            watch = new OwnerWatch(MemberSystemActors.Start(_member, OwnerWatcher.Props(owner, lost)), lost.Task);
            _owners[owner] = watch;
        }
        watch.Handles++;
        return watch.Lost;
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
        if (_owners.TryGetValue(handle.Owner, out var watch) && --watch.Handles == 0)
        {
            _owners.Remove(handle.Owner);
            _member.Stop(watch.Watcher);
        }
    }

    private void OnSessionEnded(IActorRef session)
    {
        if (!_sessions.Remove(session, out var entry))
        {
            return;
        }
        _member.Stop(entry.Proxy); // the owners release the session's handles
        foreach (long id in entry.Handles)
        {
            Forget(id);
        }
    }

    /// <summary>Asks <paramref name="target"/> from the member system (the promise is the member system's); a request in
    /// flight when its owner's node is gone is answered then, not at the time-out.</summary>
    private async Task<object> AskAsync(IActorRef target, object message, Task<bool>? lost)
    {
        if (lost is { IsCompletedSuccessfully: true, Result: true })
        {
            // The owner's node is already gone: answer now, without an ask that would wait out the time-out to a dead
            // letter (a client hammering a lost handle would otherwise keep one pending ask per request for _timeout).
            return OwnerMoved();
        }
        var ask = target.Ask<object>(message, _timeout);
        if (lost is not null && await Task.WhenAny(ask, lost).ConfigureAwait(false) != ask && await lost.ConfigureAwait(false))
        {
            _ = ask.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
            return OwnerMoved();
        }
        try
        {
            return await ask.ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            return new MmapError(MmapErrorKind.OSError, $"[Errno 110] Connection timed out: the cluster did not answer within {_timeout}", 110);
        }
    }

    private static MmapError OwnerMoved() => new(MmapErrorKind.OSError,
        "[Errno 116] Stale file handle: the file's owner's node failed while the request ran; it may or may not have been applied (open the file again)", 116)
    {
        Code = MmapErrorCode.OwnerMoved,
    };

    /// <summary>A stat, with the member that runs the file's owner (a file only), if one does: found without starting
    /// one (<see cref="FindOwner"/>).</summary>
    private async Task<object> StatWithOwnerAsync(StatFile stat)
    {
        var reply = await AskAsync(_router, stat, null).ConfigureAwait(false);
        if (reply is FileStatus { Kind: "file" } status &&
            await AskAsync(_router, new FindOwner(stat.Path), null).ConfigureAwait(false) is OwnerLocation location)
        {
            return status with { Owner = location.Node.ToString() };
        }
        return reply;
    }
}
