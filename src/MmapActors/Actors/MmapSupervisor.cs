using Akka.Actor;
using Akka.Event;
using MmapActors.DataPlane;
using MmapActors.Diagnostics;
using MmapActors.Native;
using MmapActors.Owner;
using MmapActors.Protocol;

namespace MmapActors.Actors;

/// <summary>
/// One per ActorSystem, at <c>/user/mmap</c> (see <see cref="MmapSettings.SupervisorName"/>). Finds or creates the
/// owner of each file (by canonical path; every anonymous map gets its own), forwards <see cref="OpenMap"/> to it,
/// watches the client of every handle and releases its handles when it dies, stops owners that stayed idle, restarts
/// owners that fail (with a bounded back-off, done by the owner) and stops and reports those that fail too often.
/// </summary>
internal sealed class MmapSupervisor : UntypedActor
{
    private sealed class OwnerEntry(string key, IActorRef owner)
    {
        public string Key { get; } = key;
        public IActorRef Owner { get; } = owner;
        public long OpensForwarded { get; set; }
    }

    private readonly MmapSettings _settings;
    private readonly ResourceBudget _budget;
    private readonly DataPlaneSlot _dataPlane;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, OwnerEntry> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, OwnerEntry> _byOwner = new();
    private readonly HashSet<IActorRef> _clients = new();
    private ServedRoot? _root;
    private StaleUploadSweeper? _sweeper;
    private long _ownerCounter;
    private long _anonymousCounter;

    public MmapSupervisor(MmapSettings settings, DataPlaneSlot dataPlane)
    {
        _settings = settings;
        _dataPlane = dataPlane;
        // Sized once, from the limits the process starts with: an open is refused typed while descriptors are left.
        _budget = new ResourceBudget(settings, openFiles: OpenFileBudget.Choose(ProcessLimits.Read(), settings.MaxHandlesPerNode));
    }

    /// <summary>Props for the supervisor, on a thread of its own: it resolves paths, creates files (fsync) and lists
    /// directories, none of which may stall the default dispatcher.</summary>
    /// <param name="settings">The <c>mmap</c> block.</param>
    /// <param name="dataPlane">Where a data plane started next to this supervisor registers (null: none ever will).</param>
    public static Props Props(MmapSettings settings, DataPlaneSlot? dataPlane = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var slot = dataPlane ?? new DataPlaneSlot();
        return Akka.Actor.Props.Create(() => new MmapSupervisor(settings, slot)).WithDispatcher(MmapSettings.SupervisorDispatcherId);
    }

    protected override void PreStart()
    {
        _log.Info(_budget.OpenFiles!.Description);
        if (_settings.ServedRoot.Length > 0)
        {
            _root = ServedRoot.Open(_settings.ServedRoot, _settings.ReadOnly);
            _log.Info("Serving {0}{1}", _root.RootPath, _settings.ReadOnly ? " read-only" : "");
            _sweeper = new StaleUploadSweeper(_root, _settings.StaleUploadAge);
            if (_sweeper.Enabled)
            {
                Self.Tell(SweepServedRoot.Instance);
            }
        }
    }

    protected override void PostStop()
    {
        // The owners stop with the supervisor, without the idle handshake that forgets them one by one.
        MmapMetrics.FilesClosed(_byOwner.Count);
        _byOwner.Clear();
        _byKey.Clear();
        _root?.Dispose();
    }

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(
        _settings.MaxRestarts,
        _settings.RestartWithin,
        ex => ex is ActorInitializationException ? Directive.Stop : Directive.Restart);

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case OpenMap open:
                RouteOpen(open);
                break;
            case ListDirectory list:
                Sender.Tell(LogIfRefused("list", List(list), Sender));
                break;
            case CreateFile create:
                var created = Create(create);
                MmapMetrics.RecordCreateFile(created);
                Sender.Tell(LogIfRefused("create", created, Sender));
                break;
            case StatFile stat:
                Sender.Tell(LogIfRefused("stat", Stat(stat), Sender));
                break;
            case CommitFile commit:
                Sender.Tell(LogIfRefused(commit.Discard ? "discard" : "commit", Commit(commit), Sender));
                break;
            case SweepServedRoot:
                Sweep(static sweeper => sweeper.SweepRoot(), "");
                break;
            case OwnerIdle idle:
                StopIfStillIdle(idle);
                break;
            case Terminated terminated:
                OnTerminated(terminated.ActorRef);
                break;
            case GetStats:
                CollectStats().PipeTo(Sender);
                break;
            case FlushAndCloseAll:
                FlushAll().PipeTo(Sender);
                break;
            case OpenDataPlane open:
                Sender.Tell(IssueTicket(open, Sender.Path.Address.Host));
                break;
            case IssueDataPlaneTicket issue:
                Sender.Tell(IssueTicket(issue.Open, issue.PeerHost));
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void RouteOpen(OpenMap open)
    {
        if (open.Options is null || open.Client is null)
        {
            RefuseOpen(new MmapError(MmapErrorKind.ValueError, "OpenMap needs options and a client", null));
            return;
        }
        string key;
        string? path = null;
        ServedFile? served = null;
        if (open.Options.Path is null)
        {
            key = $"anonymous:{++_anonymousCounter}";
        }
        else if (_root is not null)
        {
            if (_budget.RefuseIfFull() is { } full)
            {
                RefuseOpen(MmapError.From(full), open.Client); // before resolving the path takes a descriptor
                return;
            }
            // Untrusted path: resolved race-free beneath the root; the owner maps this very descriptor (and ends the open).
            _budget.OpenStarted();
            try
            {
                served = _root.OpenFile(open.Options.Path, writable: !(open.Options.OpensReadOnly || _settings.ReadOnly));
            }
            catch (MmapException e)
            {
                _budget.OpenEnded();
                RefuseOpen(MmapError.From(e), open.Client);
                return;
            }
            key = served.CanonicalKey;
        }
        else
        {
            if (open.Options.Path.Length == 0 || open.Options.Path.Contains('\0'))
            {
                RefuseOpen(MmapError.From(MmapException.FromErrno(LibC.ENOENT, $"'{open.Options.Path}'")));
                return;
            }
            int errno = LibC.CanonicalPath(open.Options.Path, out path);
            if (errno != 0)
            {
                RefuseOpen(MmapError.From(MmapException.FromErrno(errno, $"'{open.Options.Path}'")));
                return;
            }
            key = path;
        }

        if (!_byKey.TryGetValue(key, out var entry))
        {
            var owner = Context.ActorOf(FileOwner.Props(new OwnerState(new SharedFile(key, path, _root, _settings, _budget)), _settings), $"owner-{++_ownerCounter}");
            Context.Watch(owner);
            entry = new OwnerEntry(key, owner);
            _byKey.Add(key, entry);
            _byOwner.Add(owner, entry);
            MmapMetrics.FileOpened();
        }
        if (_clients.Add(open.Client))
        {
            Context.Watch(open.Client);
        }
        entry.OpensForwarded++;
        if (served is null)
        {
            entry.Owner.Forward(open);
        }
        else
        {
            entry.Owner.Tell(new OpenServedFile(open, served), Sender);
        }
    }

    private MapReply List(ListDirectory list)
    {
        if (_root is null)
        {
            return new MmapError(MmapErrorKind.OSError, "[Errno 95] Operation not supported: listing needs a served root (mmap.served-root)", 95);
        }
        try
        {
            return new DirectoryListing(_root.ListDirectory(list.Path).Select(e => new DirectoryEntry(e.Name, e.Size, e.Kind)).ToArray());
        }
        catch (MmapException e)
        {
            return MmapError.From(e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new MmapError(MmapErrorKind.OSError, $"[Errno 5] Input/output error: '{list.Path}': {e.Message}", 5);
        }
    }

    /// <summary>
    /// A ticket for one HTTP transfer, bound to the asking node's host: only for a path that the served root would open
    /// now in the asked direction (the same sandbox, read-only and regular-file checks as an open), and only when a
    /// data plane runs next to this supervisor. A remote peer's request comes through its session, which names the peer.
    /// </summary>
    private MapReply IssueTicket(OpenDataPlane open, string? peerHost)
    {
        if (_dataPlane.Endpoint is not { } endpoint || _root is null)
        {
            return new MmapError(MmapErrorKind.OSError, "[Errno 95] Operation not supported: this server offers no data plane", 95);
        }
        if (open.Path is null || open.Offset < 0 || open.Length < 0)
        {
            return new MmapError(MmapErrorKind.ValueError, "OpenDataPlane needs a path and a non-negative offset and length", null);
        }
        try
        {
            _root.OpenFile(open.Path, writable: open.Write).Dispose();
            var (ticket, grant) = endpoint.Tickets.Issue(PeerIdentity.FromHost(peerHost), open.Path, open.Offset, open.Length, open.Write);
            return new DataPlaneTicket(endpoint.BaseUrl, ticket, grant.Expires);
        }
        catch (MmapException e)
        {
            return MmapError.From(e);
        }
        catch (ArgumentException e)
        {
            return new MmapError(MmapErrorKind.ValueError, e.Message, null);
        }
    }

    /// <summary>Answers an open that never reaches an owner (which counts the others).</summary>
    private void RefuseOpen(MmapError error, IActorRef? client = null)
    {
        MmapMetrics.RecordOpen(error);
        LogIfRefused("open", error, client ?? Sender);
        Sender.Tell(error);
    }

    /// <summary>
    /// One WARNING per refusal (a path leaving the root, a write to a read-only export, a limit), naming the peer, the
    /// operation and the reason: an operator sees who probed what. Failures (a missing file) are the client's business
    /// and are not logged. The message's path is already quoted by <see cref="ServedRoot.Quote"/> (no forged lines).
    /// </summary>
    private MapReply LogIfRefused(string operation, MapReply reply, IActorRef peer)
    {
        if (reply is MmapError error && MmapRefusals.Classify(error.Kind, error.Message, error.Errno) is { } reason)
        {
            _log.Warning("Refused {0} from {1}: {2}: {3}", operation, PeerOf(peer), reason, Brief(error.Message));
        }
        return reply;
    }

    /// <summary>The node a request came from, short enough for a log line: <c>system@host:port</c> (a long system name
    /// such as a client's GUID cut to 20 characters), or "local".</summary>
    private static string PeerOf(IActorRef peer) => PeerOf(peer is IPeerSender relay ? relay.Peer : peer.Path.Address);

    internal static string PeerOf(Address address) => !address.HasGlobalScope
        ? "local"
        : $"{(address.System.Length > 20 ? address.System[..20] + "~" : address.System)}@{address.Host}:{address.Port}";

    /// <summary>An error message for a log line: the errno's text is implied by the reason, and the long explanation
    /// after the path is cut (the full message went to the client).</summary>
    private static string Brief(string message)
    {
        if (message.StartsWith("[Errno ", StringComparison.Ordinal) && message.IndexOf("]", StringComparison.Ordinal) is > 0 and var close &&
            message.IndexOf(": ", close, StringComparison.Ordinal) is > 0 and var colon)
        {
            message = message[..(close + 1)] + " " + message[(colon + 2)..];
        }
        return message.Length > 100 ? message[..100] + "..." : message;
    }

    private MapReply Create(CreateFile create)
    {
        try
        {
            long max = _settings.MaxFileSize > 0 ? _settings.MaxFileSize : long.MaxValue;
            if (_root is not null)
            {
                // The one place both kinds of upload create their temporary file (the HTTP data plane and mmapctl put).
                Sweep(sweeper => sweeper.BeforeCreate(create.Path), create.Path);
                _root.CreateFile(create.Path, create.Length, max, _budget.Disk).Dispose();
                return Done.Instance;
            }
            if (_settings.ReadOnly)
            {
                throw MmapException.FromErrno(LibC.EACCES, $"'{create.Path}' (read-only)");
            }
            if (create.Length < 0 || create.Length > max)
            {
                throw new MmapException(MmapErrorKind.ValueError, $"file length {create.Length} is outside the allowed range 0..{max}");
            }
            string directory = Path.GetDirectoryName(Path.GetFullPath(create.Path)) ?? "/";
            using var admitted = _budget.Disk.Admit(directory, create.Length, $"creating a file of {create.Length} bytes");
            using var stream = new FileStream(create.Path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            stream.SetLength(create.Length);
            stream.Flush(flushToDisk: true);
            return Done.Instance;
        }
        catch (MmapException e)
        {
            return MmapError.From(e);
        }
        catch (IOException e) when (File.Exists(create.Path))
        {
            return MmapError.From(MmapException.FromErrno(17, $"'{create.Path}' ({e.Message})"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return MmapError.From(new MmapException(MmapErrorKind.OSError, $"[Errno 5] Input/output error: '{create.Path}': {e.Message}", 5));
        }
    }

    /// <summary>Runs one sweep of abandoned uploads and logs what it removed at INFO (nothing when it removed nothing).
    /// A sweep never fails the request that triggered it: a directory it cannot read is the create's to report.</summary>
    private void Sweep(Func<StaleUploadSweeper, StaleUploadSweep?> sweep, string path)
    {
        if (_sweeper is null)
        {
            return;
        }
        StaleUploadSweep? result;
        try
        {
            result = sweep(_sweeper);
        }
        catch (MmapException e)
        {
            _log.Debug("No sweep of abandoned uploads for {0}: {1}", ServedRoot.Quote(path), e.Message);
            return;
        }
        if (result is null || (result.Removed.Count == 0 && !result.Truncated))
        {
            return;
        }
        const int Shown = 5;
        var names = string.Join(", ", result.Removed.Take(Shown).Select(ServedRoot.Quote));
        _log.Info("Removed {0} abandoned upload(s) not modified for {1} (mmap.limits.stale-upload-age){2}{3}{4}",
            result.Removed.Count, _sweeper.Age, result.Removed.Count > 0 ? ": " : "", names,
            (result.Removed.Count > Shown ? $" and {result.Removed.Count - Shown} more" : "") +
            (result.Truncated ? $"; the directory has more than {ServedRoot.MaxSweepEntries} entries and was swept only that far" : ""));
    }

    private MapReply Stat(StatFile stat)
    {
        if (_root is null)
        {
            return new MmapError(MmapErrorKind.OSError, "[Errno 95] Operation not supported: stat needs a served root (mmap.served-root)", 95);
        }
        try
        {
            var (size, kind) = _root.Stat(stat.Path);
            return new FileStatus(size, kind);
        }
        catch (MmapException e)
        {
            return MmapError.From(e);
        }
    }

    /// <summary>Renames an upload into place (or discards it). Owners of the names' old files keep serving the handles
    /// already open on them, but no later open reaches them: the next open of the name maps the new file.</summary>
    private MapReply Commit(CommitFile commit)
    {
        if (_root is null)
        {
            return new MmapError(MmapErrorKind.OSError, "[Errno 95] Operation not supported: uploads need a served root (mmap.served-root)", 95);
        }
        try
        {
            var (temporaryKey, key) = _root.CommitTemporary(commit.TemporaryPath, commit.Path, commit.Discard);
            _byKey.Remove(temporaryKey);
            if (!commit.Discard)
            {
                _byKey.Remove(key);
            }
            return Done.Instance;
        }
        catch (MmapException e)
        {
            return MmapError.From(e);
        }
    }

    /// <summary>
    /// The idle handshake: the owner reports how many opens it has seen; if that is every open forwarded to it, none
    /// is on its way and it can be stopped without losing a request.
    /// </summary>
    private void StopIfStillIdle(OwnerIdle idle)
    {
        if (_byOwner.TryGetValue(Sender, out var entry) && entry.OpensForwarded == idle.OpensSeen)
        {
            Forget(entry);
            Context.Stop(entry.Owner);
            _log.Debug("Closed idle map {0}", entry.Key);
        }
    }

    private void OnTerminated(IActorRef actor)
    {
        if (_byOwner.TryGetValue(actor, out var entry))
        {
            // Reached only when an owner stopped without the idle handshake: it failed too often, or could not
            // re-open its file. Its clients' requests now go to dead letters; make that visible.
            Forget(entry);
            _log.Error("The owner of {0} stopped after repeated failures; its handles are lost", entry.Key);
            Context.System.EventStream.Publish(new OwnerFailed(entry.Key));
        }
        if (_clients.Remove(actor))
        {
            if (actor.Path.Address.HasGlobalScope)
            {
                // The one line a normal remote disconnect leaves (Akka's own disassociation noise is filtered out).
                _log.Info("Client {0} disconnected; its handles are released", PeerOf(actor.Path.Address));
            }
            foreach (var owner in _byOwner.Keys)
            {
                owner.Tell(new ReleaseClient(actor));
            }
        }
    }

    private void Forget(OwnerEntry entry)
    {
        // The key may already name a newer owner (a committed upload replaced the file this one maps).
        if (_byKey.TryGetValue(entry.Key, out var current) && current == entry)
        {
            _byKey.Remove(entry.Key);
        }
        if (_byOwner.Remove(entry.Owner))
        {
            MmapMetrics.FilesClosed(1);
        }
    }

    private Task<MmapStats> CollectStats() =>
        AskEveryOwner<FileStats>(GetFileStats.Instance, _settings.AskTimeout).ContinueWith(t => new MmapStats(
            t.IsCompletedSuccessfully ? t.Result.OrderBy(f => f.Key, StringComparer.Ordinal).ToArray() : []),
            TaskContinuationOptions.ExecuteSynchronously);

    private Task<Done> FlushAll() =>
        AskEveryOwner<Done>(FlushAndCloseAll.Instance, _settings.ShutdownFlushTimeout)
            .ContinueWith(_ => Done.Instance, TaskContinuationOptions.ExecuteSynchronously);

    /// <summary>Asks every owner at once, without blocking the supervisor (the caller pipes the result).</summary>
    private Task<T[]> AskEveryOwner<T>(object message, TimeSpan timeout) =>
        Task.WhenAll(_byOwner.Keys.Select(owner => owner.Ask<T>(message, timeout)));
}
