using Akka.Actor;

namespace MmapActors.Client;

/// <summary>
/// A do-nothing actor whose lifetime bounds the handles an <see cref="MmapClient"/> opens: the supervisor watches
/// it, so when the client is disposed, or its process or node dies, the handles are released.
/// </summary>
internal sealed class ClientSession : UntypedActor
{
    public static Props Props() => Akka.Actor.Props.Create(() => new ClientSession());

    protected override void OnReceive(object message) => Unhandled(message);
}
