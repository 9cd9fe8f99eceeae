using Akka.Actor;

namespace MmapActors.Cluster.Door;

/// <summary>
/// The bridge's one watcher in the member system: it watches each owner that a door handle uses (one DeathWatch per
/// owner, however many handles and requests) and tells the bridge when one stops, and whether its node is gone
/// (<see cref="Terminated.AddressTerminated"/>). It lives in the member system because a watch of an owner on another
/// member must be the member system's.
/// </summary>
internal sealed class OwnerWatch : UntypedActor
{
    /// <summary>Bridge → watch: watch this owner.</summary>
    internal sealed record Watch(IActorRef Owner);

    /// <summary>Bridge → watch: no handle uses this owner any more.</summary>
    internal sealed record Unwatch(IActorRef Owner);

    /// <summary>Watch → bridge: the owner stopped; <paramref name="NodeGone"/> when its node is gone (a request in flight
    /// may or may not have been applied), not when it stopped on a live node (a hand-off or passivation, whose node answers
    /// every request that reaches the stopped owner as not applied).</summary>
    internal sealed record Lost(IActorRef Owner, bool NodeGone);

    private readonly IActorRef _bridge;

    public OwnerWatch(IActorRef bridge) => _bridge = bridge;

    /// <summary>Props of the watch reporting to <paramref name="bridge"/>.</summary>
    public static Props Props(IActorRef bridge)
    {
        ArgumentNullException.ThrowIfNull(bridge);
        return Akka.Actor.Props.Create(() => new OwnerWatch(bridge));
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Watch watch:
                Context.Watch(watch.Owner);
                break;
            case Unwatch unwatch:
                Context.Unwatch(unwatch.Owner);
                break;
            case Terminated terminated:
                _bridge.Tell(new Lost(terminated.ActorRef, terminated.AddressTerminated));
                break;
            default:
                Unhandled(message);
                break;
        }
    }
}
