namespace MmapActors.Cluster;

/// <summary>Shard → owner entity: stop (after passivation, or to hand the shard off). The entity stops its owner, which
/// flushes (msync) and closes every map first. Local only: the shard sends it on its own node.</summary>
internal sealed record StopFileEntity
{
    public static StopFileEntity Instance { get; } = new();
}
