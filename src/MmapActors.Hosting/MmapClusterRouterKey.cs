namespace MmapActors.Hosting;

/// <summary>The key of a cluster member's router in Akka.Hosting's <c>ActorRegistry</c>: give it to
/// <c>MmapClient.Create(system, router)</c> (docs/cluster.md).</summary>
public sealed class MmapClusterRouterKey
{
    private MmapClusterRouterKey()
    {
    }
}
