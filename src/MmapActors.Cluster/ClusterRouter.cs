using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Event;
using MmapActors.Actors;
using MmapActors.Protocol;

namespace MmapActors.Cluster;

/// <summary>
/// Every node's door to the cluster's files, at <c>/user/{mmap.cluster.router-name}</c>: it speaks the supervisor's
/// protocol, so <see cref="MmapClient"/> works on it unchanged. An open of a file is resolved beneath the shared root here
/// (the same race-free resolution as the supervisor's, which also refuses paths leaving the root) into the file's entity
/// id, its canonical path relative to the root, and sent through the shard region to the file's one owner in the
/// cluster, which answers with <see cref="MapOpened"/> carrying its own ref. Anonymous maps, and everything that is not
/// an open (create, list, stat, commit, stats, data plane tickets), are this node's business: they go to its supervisor,
/// over the same shared storage.
/// </summary>
internal sealed class ClusterRouter : UntypedActor
{
    private readonly FileEntityContext _context;
    private readonly IActorRef _region;
    private readonly IActorRef _supervisor;
    private readonly TimeSpan _askTimeout;
    private readonly TimeSpan _searchTimeout;
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public ClusterRouter(FileEntityContext context, IActorRef region, IActorRef supervisor, TimeSpan searchTimeout)
    {
        _searchTimeout = searchTimeout;
        _context = context;
        _region = region;
        _supervisor = supervisor;
        _askTimeout = context.Settings.AskTimeout;
    }

    /// <summary>Props of the router, on the supervisor's dispatcher (a thread of its own: resolving a path waits for the
    /// file system). <paramref name="searchTimeout"/> bounds each <see cref="FindOwner"/> (<see cref="OwnerSearch"/>).</summary>
    public static Props Props(FileEntityContext context, IActorRef region, IActorRef supervisor, TimeSpan searchTimeout)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(supervisor);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(searchTimeout, TimeSpan.Zero);
        return Akka.Actor.Props.Create(() => new ClusterRouter(context, region, supervisor, searchTimeout)).WithDispatcher(MmapSettings.SupervisorDispatcherId);
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case OpenMap { Options.Path: { } path } open:
                if (Resolve(path, writable: !(open.Options.OpensReadOnly || _context.Settings.ReadOnly)) is { } id)
                {
                    _region.Forward(new ShardingEnvelope(id, open with { Options = open.Options with { Path = id } }));
                }
                break;
            case GetOwner owner:
                if (owner.Path is null)
                {
                    Sender.Tell(new MmapError(MmapErrorKind.ValueError, "GetOwner needs a path", null));
                }
                else if (Resolve(owner.Path, writable: false) is { } ownerId)
                {
                    _region.Forward(new ShardingEnvelope(ownerId, owner));
                }
                break;
            case FindOwner find:
                if (find.Path is null)
                {
                    Sender.Tell(new MmapError(MmapErrorKind.ValueError, "FindOwner needs a path", null));
                }
                else if (Resolve(find.Path, writable: false) is { } findId)
                {
                    Context.ActorOf(OwnerSearch.Props(findId, MemberRouters(), Sender, _searchTimeout));
                }
                break;
            case RunsOwner runs:
                Sender.Tell(_context.IsRunning(runs.Key) ? new OwnerLocation(runs.Key, _cluster.SelfAddress) : new NoOwner(runs.Key));
                break;
            case CommitFile commit:
                Commit(commit);
                break;
            case IMmapMessage:
                _supervisor.Forward(message);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>The routers of the members that may run owners now: Up (or leaving, handing off) and reachable. A member
    /// that is unreachable cannot answer, and its files are on their way elsewhere.</summary>
    private List<ActorSelection> MemberRouters()
    {
        var state = _cluster.State;
        return state.Members
            .Where(m => (m.Status is MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Leaving) && !state.Unreachable.Contains(m))
            .Select(m => Context.ActorSelection(new RootActorPath(m.Address) / "user" / Self.Path.Name))
            .ToList();
    }

    /// <summary>The entity id of <paramref name="path"/>, or null after answering the sender with the refusal.</summary>
    private string? Resolve(string path, bool writable)
    {
        try
        {
            using var served = _context.Root.OpenFile(path, writable);
            if (_context.EntityIdOf(served.CanonicalKey) is { } id)
            {
                return id;
            }
            Sender.Tell(MmapError.From(MmapException.FromErrno(Native.LibC.EXDEV, $"{ServedRoot.Quote(path)} resolves outside the shared root")));
        }
        catch (MmapException e)
        {
            Sender.Tell(MmapError.From(e));
        }
        return null;
    }

    /// <summary>Commits through this node's supervisor, then tells the file's owner, wherever it runs, that later opens
    /// must map the new file.</summary>
    private void Commit(CommitFile commit)
    {
        // Resolved before the rename: the name then still names the old file (if any), whose owner must let go.
        string? id = commit.Discard ? null : EntityIdOf(commit.Path);
        // The upload's own name, whose owner (the upload wrote through it) holds the lock of what becomes the file: told
        // too, so that it lets go at once instead of after mmap.idle-timeout, and the file's next owner can take it.
        string? upload = commit.Discard ? null : EntityIdOf(commit.TemporaryPath);
        var sender = Sender;
        var region = _region;
        _supervisor.Ask<MapReply>(commit, _askTimeout).ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully && t.Result is Done)
            {
                foreach (var replaced in new[] { id, upload })
                {
                    if (replaced is not null)
                    {
                        region.Tell(new ShardingEnvelope(replaced, new FileReplaced(replaced)));
                    }
                }
            }
            return t.IsCompletedSuccessfully
                ? t.Result
                : new MmapError(MmapErrorKind.OSError, $"[Errno 110] Connection timed out: the node's supervisor did not commit within {_askTimeout}", 110);
        }, TaskContinuationOptions.ExecuteSynchronously).PipeTo(sender);
        _log.Debug("Commit of {0} forwarded", commit.Path);
    }

    /// <summary>The entity id of the file <paramref name="path"/> names now, or null when it names none.</summary>
    private string? EntityIdOf(string path)
    {
        try
        {
            using var served = _context.Root.OpenFile(path, writable: false);
            return _context.EntityIdOf(served.CanonicalKey);
        }
        catch (MmapException)
        {
            return null; // no such file: no owner to tell
        }
    }
}
