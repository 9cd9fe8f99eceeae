using Akka.Actor;

namespace MmapActors.Remote.Server;

/// <summary>
/// The sender a session gives the requests it passes to owners and the supervisor: the answer comes back to the session
/// tagged with the request's number, so that the session sees every reply before the peer does (to count it, clean it
/// and keep its budgets), whatever order the owners answer in. One small object per request; no registration.
/// </summary>
internal sealed class RelayRef(IActorRef session, ActorPath path, long correlation, IActorRefProvider provider, Address peer) : MinimalActorRef, MmapActors.Actors.IPeerSender
{
    public Address Peer { get; } = peer;

    /// <summary>The session's one relay path, made once by the session (not an allocation per request).</summary>
    public override ActorPath Path { get; } = path;

    public override IActorRefProvider Provider { get; } = provider;

    protected override void TellInternal(object message, IActorRef sender) => session.Tell(new Relayed(correlation, message), ActorRefs.NoSender);
}

/// <summary>An answer that came back through a <see cref="RelayRef"/>.</summary>
internal sealed record Relayed(long Correlation, object Reply);
