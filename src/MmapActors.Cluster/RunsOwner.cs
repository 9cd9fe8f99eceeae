namespace MmapActors.Cluster;

/// <summary>Router → every member's router, for <see cref="FindOwner"/>: does this member run the owner of the file
/// keyed <paramref name="Key"/> now? Reply: <see cref="OwnerLocation"/> or <see cref="NoOwner"/>, from what the member's
/// entities registered (<see cref="FileEntityContext.IsRunning"/>), without touching the shard region.</summary>
/// <param name="Key">The entity id: the canonical path relative to the shared root.</param>
internal sealed record RunsOwner(string Key) : IClusterMessage;
