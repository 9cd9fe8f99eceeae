using Akka.Actor;
using Akka.Event;
using MmapActors.Actors;
using MmapActors.Protocol;

namespace MmapActors.Remote.Server;

/// <summary>
/// Everything one remote client may do on the server, and all it holds there. The door (<see cref="ServerGateway"/>)
/// creates it under a name nobody can guess; the client sends it every request. It opens handles as their client (so
/// the supervisor releases them all when the session stops), keeps the handle table that maps the client's ids to
/// owners (a handle is usable only through the session that opened it), passes each request to its owner and each
/// answer back, and keeps the session's budgets (<see cref="SessionLedger"/>): handles, bytes mapped, private memory,
/// requests in flight and reply bytes the client has not read.
/// </summary>
/// <remarks>
/// It also tells the client that the server is alive (a <see cref="Checkpoint"/> every interval), learns from the
/// answers that the client still reads its replies, and closes itself when the client falls silent. Errors never carry
/// the server's absolute paths: keys and messages are made relative to the served root before they leave.
/// </remarks>
internal sealed class PeerSession : UntypedActor, IWithTimers
{
    private enum PendingKind { Operation, Open, Create, Supervisor }

    private sealed record Pending(PendingKind Kind, IActorRef ReplyTo, SessionHandle? Handle, MapOperation? Operation, long Reserved, bool Resizes)
    {
        public long Expected { get; init; }

        /// <summary>The upload this request creates (claimed when it succeeds) or commits or discards (released).</summary>
        public string? Upload { get; init; }
    }

    /// <summary>Door → session: the peer's association ended; the session ends with it.</summary>
    internal sealed record PeerGone(string Reason);

    private sealed record CheckpointTick
    {
        public static CheckpointTick Instance { get; } = new();
    }

    private readonly Address _peer;
    private readonly IActorRef _client;
    private readonly IActorRef _supervisor;
    private readonly ServerSettings _settings;
    private readonly SessionLedger _ledger;
    private readonly long _unknownReplySize;
    private readonly RootPaths _paths;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IActorRefProvider _provider = ((ExtendedActorSystem)Context.System).Provider;
    private readonly ActorPath _relayPath = Context.Self.Path / "relay";
    private readonly Dictionary<long, Pending> _pending = new();
    private readonly Queue<(FromPeer Request, IActorRef Sender)> _held = new();
    private readonly Dictionary<IActorRef, int> _handlesPerOwner = new();
    private readonly SessionUploads _uploads;
    private readonly List<(FromPeer Request, IActorRef Sender)> _afterCreate = new(); // requests naming an upload being created
    private long _refusedForeign;
    private long _heldBytes;
    private long _nextCorrelation;
    private DateTime _lastHeard = DateTime.UtcNow;
    private string? _closing;

    public PeerSession(Address peer, IActorRef client, IActorRef supervisor, ServerSettings settings, PrivateMemoryPool pool, RootPaths paths)
    {
        _peer = peer;
        _client = client;
        _supervisor = supervisor;
        _settings = settings;
        _ledger = new SessionLedger(settings, pool);
        _uploads = new SessionUploads(settings.MaxHandlesPerSession);
        _paths = paths;
        // A read whose size only the file knows may answer with up to the range limit (or a checkpoint's worth).
        long rangeLimit = MmapSettings.Create(Context.System).MaxRangeLength;
        _unknownReplySize = rangeLimit > 0 ? rangeLimit : settings.CheckpointBytes;
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(Address peer, IActorRef client, IActorRef supervisor, ServerSettings settings, PrivateMemoryPool pool, RootPaths paths)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(supervisor);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(paths);
        return Akka.Actor.Props.Create(() => new PeerSession(peer, client, supervisor, settings, pool, paths)).WithDeploy(Deploy.Local);
    }

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer("checkpoint", CheckpointTick.Instance, _settings.CheckpointInterval);
    }

    protected override void PostStop()
    {
        // The supervisor watches this actor as the client of its handles and releases them; what is left is the
        // session's share of the private memory pool, and telling the client (a remote peer may be long gone).
        _ledger.ReleaseAll();
        foreach (string upload in _uploads.Unfinished)
        {
            // Nobody can finish it now (it is this session's alone): discard it, as the client would have (a discard
            // names the temporary file itself as its target, in its own directory). Sent after any commit of it.
            _supervisor.Tell(new CommitFile(upload, upload, Discard: true), ActorRefs.Nobody);
        }
        if (_refusedForeign > 1)
        {
            _log.Warning("Session of {0}: refused {1} requests without a sender or from another node in all", _peer, _refusedForeign);
        }
        if (_closing is null or "the client disconnected" or "the connection closed")
        {
            // The one line a normal disconnect leaves (a session closed for misbehaving has logged a warning).
            _log.Info("Client {0} disconnected; its handles are released", MmapSupervisor.PeerOf(_peer));
        }
        foreach (var pending in _pending.Values)
        {
            pending.ReplyTo.Tell(Gone(pending.Operation, _closing ?? "the session ended"));
        }
        _client.Tell(new SessionClosed(_closing ?? "the session ended"));
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case FromPeer request:
                OnRequest(request, Sender);
                break;
            case Relayed relayed:
                OnAnswer(relayed);
                break;
            case CheckpointTick:
                OnCheckpointTick();
                break;
            case Terminated terminated:
                OnOwnerStopped(terminated.ActorRef);
                break;
            case PeerGone gone:
                _closing = gone.Reason;
                Context.Stop(Self);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void OnRequest(FromPeer request, IActorRef sender)
    {
        if (sender.IsNobody() || !sender.Path.Address.Equals(_peer))
        {
            // Without a sender (ActorRefs.NoSender, ActorSelection.Tell) Akka.Remote delivers a request with the local dead
            // letters as its sender: nothing tells which node sent it, and it may be a third node that learned this
            // session's name. With a sender on another node, replies would make this session a reflector. Either way
            // nothing it asks is done and nobody is answered; one warning per session, the rest counted (the count is
            // logged when the session ends), so that a flood of them cannot flood the log.
            if (_refusedForeign++ == 0)
            {
                _log.Warning("Session of {0}: refused a request {1}; later ones are counted, not logged", _peer,
                    sender.IsNobody() ? "without a sender (nothing tells which node sent it)" : $"whose reply address {sender.Path} is on another node");
            }
            return;
        }
        _lastHeard = DateTime.UtcNow; // any message proves the peer alive; only acknowledgements prove it reads
        if (request.Request is CheckpointAck ack)
        {
            if (_ledger.Acknowledge(ack.Sequence))
            {
                ResumeHeld();
            }
            return;
        }
        if (_ledger.IsSuspended)
        {
            // The client is not reading its replies: hold its requests (bounded in count and in bytes, since each may be
            // as large as a frame) until it catches up.
            if (_held.Count + _pending.Count >= _settings.MaxRequestsInFlight ||
                _heldBytes + request.WireBytes > _settings.MaxUnacknowledgedReplyBytes)
            {
                CloseSession($"the client stopped reading its replies ({_ledger.BytesSent - _ledger.BytesAcknowledged} bytes unacknowledged) " +
                      "and kept sending requests");
                return;
            }
            _held.Enqueue((request, sender));
            _heldBytes += request.WireBytes;
            return;
        }
        Serve(request, sender);
    }

    /// <summary>Serves, in arrival order, the requests that waited for a create and no longer wait.</summary>
    private void ServeAfterCreate()
    {
        if (_afterCreate.Count == 0)
        {
            return;
        }
        var waited = _afterCreate.ToArray();
        _afterCreate.Clear();
        foreach (var (request, sender) in waited)
        {
            Serve(request, sender); // one that still waits (another create) is held again
        }
    }

    private void Serve(FromPeer request, IActorRef sender)
    {
        if (request.Request is null)
        {
            Reply(sender, Refusal(71, "Protocol error", $"the request could not be read: {request.Problem}"));
            return;
        }
        if (request.Request is not Disconnect && _pending.Count >= _settings.MaxRequestsInFlight)
        {
            Reply(sender, Refusal(11, "Resource temporarily unavailable",
                $"{_pending.Count} requests of this session are being served (mmap.server.session.max-requests-in-flight)"));
            return;
        }
        if (_uploads.WaitsForCreate(request.Request))
        {
            // Names an upload whose create is on its way: decided once the create is answered (bounded like the requests
            // in flight, of which it is one).
            if (_afterCreate.Count >= _settings.MaxRequestsInFlight)
            {
                Reply(sender, Refusal(11, "Resource temporarily unavailable",
                    $"{_afterCreate.Count} requests of this session wait for their upload's create (mmap.server.session.max-requests-in-flight)"));
                return;
            }
            _afterCreate.Add((request, sender));
            return;
        }
        if (_uploads.Forbidden(request.Request) is { } foreign)
        {
            // Another session's upload (or the server's own): answered as a missing file, which tells the least.
            Reply(sender, MmapError.From(MmapException.FromErrno(2, ServedRoot.Quote(foreign))));
            return;
        }
        switch (request.Request)
        {
            case MapRequest map:
                OnMapRequest(map, sender);
                break;
            case OpenMap open:
                OnOpen(open.Options, sender);
                break;
            case CreateFile create:
                // Counted against max-growth-bytes before it is sent; returned if the create fails.
                if (_uploads.IsFull(create))
                {
                    Reply(sender, Refusal(24, "Too many open files",
                        $"this session has {_uploads.Capacity} unfinished uploads (mmap.server.session.max-handles)"));
                    return;
                }
                if (_ledger.TryReserveFileGrowth(create.Length) is { } refused)
                {
                    Reply(sender, refused);
                    return;
                }
                _uploads.CreateSent(create.Path);
                Send(_supervisor, create, new Pending(PendingKind.Create, sender, null, null, Math.Max(0, create.Length), false) { Upload = create.Path });
                break;
            case CommitFile commit:
                Send(_supervisor, commit, new Pending(PendingKind.Supervisor, sender, null, null, 0, false) { Upload = commit.TemporaryPath });
                break;
            case ListDirectory or StatFile:
                Send(_supervisor, request.Request, new Pending(PendingKind.Supervisor, sender, null, null, 0, false));
                break;
            case OpenDataPlane open:
                // The ticket is bound to the peer's host, which only the session knows (the supervisor sees the session).
                Send(_supervisor, new IssueDataPlaneTicket(open, _peer.Host), new Pending(PendingKind.Supervisor, sender, null, null, 0, false));
                break;
            case GetStats:
                var stats = OwnStats();
                Send(sender, stats, 64L * (stats.Files.Count + 1));
                break;
            case Disconnect:
                sender.Tell(Done.Instance);
                _closing = "the client disconnected";
                Context.Stop(Self);
                break;
            case Connect:
                Reply(sender, Refusal(106, "Transport endpoint is already connected", "this session is open already"));
                break;
            default:
                Reply(sender, Refusal(95, "Operation not supported", $"{request.Request.GetType().Name} is not a request"));
                break;
        }
    }

    private void OnOpen(MapOptions? options, IActorRef sender)
    {
        if (options is null)
        {
            Reply(sender, new MmapError(MmapErrorKind.ValueError, "OpenMap needs options", null));
            return;
        }
        if (_ledger.TryBeginOpen(options, out long reserved) is { } refused)
        {
            Reply(sender, refused);
            return;
        }
        Send(_supervisor, new OpenMap(options, Self), new Pending(PendingKind.Open, sender, null, null, reserved, false));
    }

    private void OnMapRequest(MapRequest request, IActorRef sender)
    {
        if (request.Operation is null)
        {
            Reply(sender, new MmapError(MmapErrorKind.ValueError, "MapRequest needs an operation", null));
            return;
        }
        if (!_ledger.TryGetHandle(request.HandleId, out var handle))
        {
            // Closed, or never this session's: it behaves as a closed Python map, as an owner's unknown handle does.
            Reply(sender, request.Operation.RunClosed());
            return;
        }
        if (handle.LostReason is { } lost)
        {
            if (request.Operation is Close)
            {
                Forget(handle); // nothing is left to close: closing a lost handle succeeds, as closing twice does
                Reply(sender, Done.Instance);
                return;
            }
            Reply(sender, Gone(request.Operation, lost));
            return;
        }
        long reserved = 0;
        long? target = SessionOperations.LargestResize(request.Operation);
        bool resizes = target is not null;
        if (target is { } newLength && _ledger.TryReserveGrowth(handle, newLength, out reserved) is { } refused)
        {
            Reply(sender, refused);
            return;
        }
        long expected = SessionOperations.ReplyEstimate(request.Operation, _unknownReplySize);
        _ledger.Expect(expected);
        Send(handle.Owner, new MapRequest(handle.OwnerHandleId, request.Operation),
            new Pending(PendingKind.Operation, sender, handle, request.Operation, reserved, resizes) { Expected = expected });
    }

    private void Send(IActorRef target, object message, Pending pending)
    {
        long correlation = ++_nextCorrelation;
        _pending.Add(correlation, pending);
        target.Tell(message, new RelayRef(Self, _relayPath, correlation, _provider, _peer));
    }

    private void OnAnswer(Relayed relayed)
    {
        if (!_pending.Remove(relayed.Correlation, out var pending))
        {
            return; // already failed (its owner stopped)
        }
        _ledger.Settle(pending.Expected);
        switch (pending.Kind)
        {
            case PendingKind.Open:
                OnOpenAnswer(pending, relayed.Reply);
                break;
            case PendingKind.Create:
                var created = relayed.Reply as MapReply ?? Unexpected(relayed.Reply);
                _ledger.SettleFileGrowth(pending.Reserved, created is Done ? pending.Reserved : 0);
                if (pending.Upload is { } upload)
                {
                    // A temporary name is the session's from now on if the create succeeded (other names are ignored);
                    // then what waited for the answer is served, in order, after it.
                    _uploads.CreateAnswered(upload, succeeded: created is Done);
                    Reply(pending.ReplyTo, created);
                    ServeAfterCreate();
                    break;
                }
                Reply(pending.ReplyTo, created);
                break;
            case PendingKind.Supervisor:
                var answer = relayed.Reply as MapReply ?? Unexpected(relayed.Reply);
                if (answer is Done && pending.Upload is { } committed)
                {
                    _uploads.Release(committed);
                }
                Reply(pending.ReplyTo, answer is DirectoryListing listing ? _uploads.Hide(listing) : answer);
                break;
            case PendingKind.Operation:
                OnOperationAnswer(pending, relayed.Reply as MapReply ?? Unexpected(relayed.Reply));
                break;
        }
        ResumeHeld(); // an answer smaller than expected may bring the client back under its budget
    }

    private void OnOpenAnswer(Pending pending, object answer)
    {
        if (answer is not MapOpened opened)
        {
            _ledger.AbandonOpen(pending.Reserved);
            Reply(pending.ReplyTo, answer as MapReply ?? Unexpected(answer));
            return;
        }
        if (_ledger.TryCompleteOpen(opened, _paths.Relative(opened.Key), pending.Reserved, out var handle) is { } refused)
        {
            opened.Owner.Tell(new MapRequest(opened.HandleId, Close.Instance), ActorRefs.NoSender);
            Reply(pending.ReplyTo, refused);
            return;
        }
        if (_handlesPerOwner.TryGetValue(handle!.Owner, out int count))
        {
            _handlesPerOwner[handle.Owner] = count + 1;
        }
        else
        {
            _handlesPerOwner.Add(handle.Owner, 1);
            Context.Watch(handle.Owner);
        }
        Send(pending.ReplyTo, new MapOpened(Self, handle.Id, handle.Key, opened.Access) { Length = opened.Length, IsPrivate = opened.IsPrivate }, 128);
    }

    private void OnOperationAnswer(Pending pending, MapReply reply)
    {
        var handle = pending.Handle!;
        if (pending.Resizes)
        {
            var (last, largest) = SessionOperations.ResizesDone(pending.Operation!, reply);
            _ledger.SettleResize(handle, pending.Reserved, last, largest);
        }
        if (SessionOperations.Closes(pending.Operation!, reply))
        {
            Forget(handle);
        }
        Reply(pending.ReplyTo, reply);
    }

    private void Forget(SessionHandle handle)
    {
        _ledger.RemoveHandle(handle);
        if (_handlesPerOwner.TryGetValue(handle.Owner, out int count))
        {
            if (count <= 1)
            {
                _handlesPerOwner.Remove(handle.Owner);
                Context.Unwatch(handle.Owner);
            }
            else
            {
                _handlesPerOwner[handle.Owner] = count - 1;
            }
        }
    }

    /// <summary>An owner stopped for good (it failed too often): its handles are lost, and every request waiting for it
    /// is answered now instead of at the client's timeout.</summary>
    private void OnOwnerStopped(IActorRef owner)
    {
        _handlesPerOwner.Remove(owner);
        const string reason = "the file's owner stopped after repeated failures; this handle is lost";
        foreach (var handle in _ledger.Handles.Where(h => h.Owner.Equals(owner)))
        {
            handle.LostReason = reason;
        }
        foreach (var (correlation, pending) in _pending.Where(p => p.Value.Handle?.Owner.Equals(owner) == true).ToList())
        {
            _pending.Remove(correlation);
            _ledger.Settle(pending.Expected);
            Reply(pending.ReplyTo, Gone(pending.Operation, reason));
        }
    }

    private void OnCheckpointTick()
    {
        if (DateTime.UtcNow - _lastHeard > _settings.PeerTimeout)
        {
            CloseSession($"the client sent nothing for {_settings.PeerTimeout.TotalSeconds:0.#} s (mmap.server.peer-timeout)");
            return;
        }
        _client.Tell(_ledger.NextCheckpoint());
    }

    private void ResumeHeld()
    {
        while (!_ledger.IsSuspended && _held.TryDequeue(out var held))
        {
            _heldBytes -= held.Request.WireBytes;
            Serve(held.Request, held.Sender);
        }
    }

    /// <summary>Sends a reply to the peer: relative paths only, counted against the unacknowledged budget.</summary>
    private void Reply(IActorRef to, MapReply reply)
    {
        reply = _paths.Clean(reply);
        Send(to, reply, SessionOperations.WireSize(reply));
    }

    private void Send(IActorRef to, object message, long wireBytes)
    {
        to.Tell(message);
        if (_ledger.RecordReply(wireBytes))
        {
            _client.Tell(_ledger.NextCheckpoint());
        }
    }

    /// <summary>The server-wide view is not the peer's to see: only its own handles, by relative path.</summary>
    private MmapStats OwnStats()
    {
        var mine = _ledger.Handles.GroupBy(h => h.Key, StringComparer.Ordinal)
            .Select(g => new FileStats(g.Key, g.Count(), g.Sum(h => h.Length), new Dictionary<string, int> { ["this session"] = g.Count() }))
            .OrderBy(f => f.Key, StringComparer.Ordinal)
            .ToArray();
        return new MmapStats(mine);
    }


    private void CloseSession(string reason)
    {
        if (_closing is null)
        {
            _closing = reason;
            _log.Warning("Closing the session of {0}: {1}", _peer, reason);
            Context.Stop(Self);
        }
    }

    private static MmapError Refusal(int errno, string text, string detail) =>
        new(MmapErrorKind.OSError, $"[Errno {errno}] {text}: {detail}", errno) { Code = errno is 71 or 95 or 106 ? MmapErrorCode.InvalidRequest : MmapErrorCode.LimitExceeded };

    private static MmapError Gone(MapOperation? operation, string reason) =>
        new(MmapErrorKind.OSError, $"[Errno 5] Input/output error: {operation?.GetType().Name ?? "the request"} failed: {reason}", 5);

    private static MmapError Unexpected(object answer) =>
        new(MmapErrorKind.OSError, $"[Errno 71] Protocol error: unexpected answer {answer.GetType().Name}", 71);
}
