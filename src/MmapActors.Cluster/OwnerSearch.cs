using Akka.Actor;
using Akka.Event;

namespace MmapActors.Cluster;

/// <summary>
/// One <see cref="FindOwner"/> in flight: asks the router of every member it was given whether that member runs the
/// file's owner (<see cref="RunsOwner"/>), answers the asker with the first <see cref="OwnerLocation"/>, or with
/// <see cref="NoOwner"/> once every member has said no or the search time-out (<c>mmap.cluster.owner-search-timeout</c>)
/// has passed, whichever comes first; then stops. Nothing here touches the shard region, so no entity starts.
/// </summary>
/// <remarks>
/// <para>A member silent at the time-out counts as not running the owner. The answer only names an owner for a stat: it
/// starts, stops and serializes nothing, and the stat's other fields come from the shared storage, not from the owner.
/// It is a snapshot in any case (the owner may passivate or move the moment after a member answered), and a member that
/// cannot answer a table look-up within the time-out is also one whose owners its clients cannot reach promptly just
/// then. So the worst a silent member costs is a stat that names no owner while that member runs one: the same answer a
/// stat gets while an owner is being handed off. Waiting for it instead would hold every stat of a file nobody has open
/// (the common case) for <c>mmap.ask-timeout</c>, however many members had long answered.</para>
/// <para>While an owner is being handed off (a rebalance, a leaving member), its old member counts it until the entity
/// has stopped (or asked to passivate), and the new member counts it once an open has started it there: in between, and for a
/// moved owner that no open has restarted yet, the answer is <see cref="NoOwner"/>.</para>
/// <para>The deadline is one timer from the start (not a receive time-out, which every "no" would push back).</para>
/// </remarks>
internal sealed class OwnerSearch : UntypedActor, IWithTimers
{
    private readonly string _key;
    private readonly IReadOnlyList<ActorSelection> _routers;
    private readonly IActorRef _asker;
    private readonly TimeSpan _timeout;
    private int _noes;

    public OwnerSearch(string key, IReadOnlyList<ActorSelection> routers, IActorRef asker, TimeSpan timeout)
    {
        _key = key;
        _routers = routers;
        _asker = asker;
        _timeout = timeout;
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props of a search for the owner of <paramref name="key"/> among <paramref name="routers"/>, answered to
    /// <paramref name="asker"/> within <paramref name="timeout"/>.</summary>
    public static Props Props(string key, IReadOnlyList<ActorSelection> routers, IActorRef asker, TimeSpan timeout)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(routers);
        ArgumentNullException.ThrowIfNull(asker);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        return Akka.Actor.Props.Create(() => new OwnerSearch(key, routers, asker, timeout));
    }

    protected override void PreStart()
    {
        if (_routers.Count == 0)
        {
            Finish(new NoOwner(_key));
            return;
        }
        foreach (var router in _routers)
        {
            router.Tell(new RunsOwner(_key), Self);
        }
        Timers.StartSingleTimer(Deadline.Instance, Deadline.Instance, _timeout);
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case OwnerLocation location:
                Finish(location);
                break;
            case NoOwner when ++_noes == _routers.Count:
                Finish(new NoOwner(_key));
                break;
            case NoOwner:
                break;
            case Deadline:
                Context.GetLogger().Debug("Owner search for {0}: {1} of {2} member(s) silent after {3}, counted as not running it",
                    _key, _routers.Count - _noes, _routers.Count, _timeout);
                Finish(new NoOwner(_key));
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Finish(object answer)
    {
        _asker.Tell(answer);
        Context.Stop(Self);
    }

    /// <summary>The search time-out has passed.</summary>
    private sealed class Deadline
    {
        public static readonly Deadline Instance = new();

        private Deadline()
        {
        }
    }
}
