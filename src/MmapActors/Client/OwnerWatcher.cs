using Akka.Actor;

namespace MmapActors.Client;

/// <summary>
/// Watches the owner of one handle for a <see cref="FailoverMappedFile"/>: when the owner stops (a shard handed off, an
/// idle owner passivated) or its node is gone (downed, removed), it completes its task with whether the node is
/// gone (<see cref="Terminated.AddressTerminated"/>), and stops.
/// </summary>
internal sealed class OwnerWatcher : UntypedActor
{
    private readonly IActorRef _owner;
    private readonly TaskCompletionSource<bool> _lost;

    public OwnerWatcher(IActorRef owner, TaskCompletionSource<bool> lost)
    {
        _owner = owner;
        _lost = lost;
    }

    /// <summary>Props of a watcher of <paramref name="owner"/> reporting to <paramref name="lost"/>.</summary>
    public static Props Props(IActorRef owner, TaskCompletionSource<bool> lost)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(lost);
        return Akka.Actor.Props.Create(() => new OwnerWatcher(owner, lost));
    }

    protected override void PreStart() => Context.Watch(_owner);

    protected override void OnReceive(object message)
    {
        if (message is Terminated terminated && terminated.ActorRef.Equals(_owner))
        {
            _lost.TrySetResult(terminated.AddressTerminated);
            Context.Stop(Self);
        }
        else
        {
            Unhandled(message);
        }
    }
}
