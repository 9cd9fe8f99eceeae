namespace MmapActors.Cluster;

/// <summary>Reply to <see cref="FindOwner"/>: no member runs an owner of the file now (nobody has it open).</summary>
/// <param name="Key">The canonical path relative to the shared root.</param>
public sealed record NoOwner(string Key) : IClusterMessage;
