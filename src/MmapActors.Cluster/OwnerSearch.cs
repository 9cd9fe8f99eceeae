using Akka.Actor;
using MmapActors.Protocol;

namespace MmapActors.Cluster;

/// <summary>
/// One <see cref="FindOwner"/> in flight: asks the router of every member it was given whether that member runs the
/// file's owner (<see cref="RunsOwner"/>), answers the asker with the first <see cref="OwnerLocation"/>, or with
/// <see cref="NoOwner"/> once every member has said no, or with a time-out error if some member stays silent; then stops.
/// Nothing here touches the shard region, so no entity starts.
/// </summary>
internal sealed class OwnerSearch : UntypedActor
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

    /// <summary>Props of a search for the owner of <paramref name="key"/> among <paramref name="routers"/>.</summary>
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
        Context.SetReceiveTimeout(_timeout);
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
            case ReceiveTimeout:
                Finish(new MmapError(MmapErrorKind.OSError,
                    $"[Errno 110] Connection timed out: {_routers.Count - _noes} member(s) did not say within {_timeout} whether they own the file", 110));
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
}
