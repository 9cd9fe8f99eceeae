namespace MmapActors.Hosting;

/// <summary>The key of a served node's door in Akka.Hosting's <c>ActorRegistry</c>: the one actor remote peers can
/// select, which gives each of them a session of its own.</summary>
public sealed class MmapServerGatewayKey
{
    private MmapServerGatewayKey()
    {
    }
}
