namespace MmapActors.Cluster;

/// <summary>
/// Asks which member owns a file: send it to a node's router (<see cref="MmapCluster.Router"/>), which resolves
/// <paramref name="Path"/> beneath the shared root and asks the file's owner (starting it if no owner runs, as an open
/// would). Reply: <see cref="OwnerLocation"/>, or <see cref="Protocol.MmapError"/> for a path the root refuses.
/// </summary>
/// <param name="Path">The file, relative to the shared root.</param>
public sealed record GetOwner(string Path) : IClusterMessage;
