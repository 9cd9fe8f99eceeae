using Akka.Actor;
using MmapActors.Remote.Server;

namespace MmapActors.Cluster.Door;

/// <summary>
/// The sender the bridge gives one request it passes into the member system: the answer comes back to the bridge tagged
/// with the request's number (<see cref="Relayed"/>), as a door session's <c>RelayRef</c> does, instead of an Ask per
/// request. It belongs to the member system (its provider and path are the member's), so an owner on another member
/// can answer it: its path names its <see cref="RelayContainer"/> and the number, which the container resolves.
/// </summary>
internal sealed class BridgeRelay(RelayContainer container, long correlation) : MinimalActorRef
{
    private ActorPath? _path;

    /// <summary>The request's number.</summary>
    public long Correlation { get; } = correlation;

    /// <summary>Made only when someone asks for it (an owner on another member, to serialize it): a local owner answers
    /// without it.</summary>
    public override ActorPath Path => _path ??= container.Path / RelayContainer.NameOf(Correlation);

    public override IActorRefProvider Provider => container.Provider;

    protected override void TellInternal(object message, IActorRef sender) => container.Bridge.Tell(new Relayed(Correlation, message), ActorRefs.NoSender);
}
