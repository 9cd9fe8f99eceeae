namespace MmapActors.Cluster;

/// <summary>
/// Asks which member runs the owner of a file <em>without starting one</em>: send it to a node's router
/// (<see cref="MmapCluster.Router"/>), which resolves <paramref name="Path"/> beneath the shared root and asks every
/// reachable member whether it runs that file's owner now. Reply: <see cref="OwnerLocation"/> when one does,
/// <see cref="NoOwner"/> when none of the members that answered within <c>mmap.cluster.owner-search-timeout</c> does
/// (nobody has the file open, its owner is being handed off, or it runs on a member silent that long), or
/// <see cref="Protocol.MmapError"/> for a path the root refuses. The answer is a snapshot for a stat, never a lock: see
/// docs/cluster.md ("Ownership") for why a silent member may count as "no". Unlike <see cref="GetOwner"/>, it never creates
/// the file's entity (a stat uses it: looking must not place an owner).
/// </summary>
/// <param name="Path">The file, relative to the shared root.</param>
public sealed record FindOwner(string Path) : IClusterMessage;
