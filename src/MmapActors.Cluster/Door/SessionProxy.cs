using Akka.Actor;

namespace MmapActors.Cluster.Door;

/// <summary>
/// A door session's stand-in in the member system: the client of every handle the session opens in the cluster, so that
/// the owners (which watch their clients) release the session's handles when it ends, wherever they run. A ref of the door
/// system never enters the member system, which would have to serialize it; this one belongs there. It receives nothing:
/// the bridge stops it when the session ends.
/// </summary>
internal sealed class SessionProxy : UntypedActor
{
    public static Props Props() => Akka.Actor.Props.Create(() => new SessionProxy());

    protected override void OnReceive(object message) => Unhandled(message);
}
