using Akka.Actor;

namespace MmapActors.Cluster;

/// <summary>Reply to <see cref="GetOwner"/>: the file's key (its canonical path relative to the shared root, the
/// entity id) and the member that owns it.</summary>
/// <param name="Key">The canonical path relative to the shared root.</param>
/// <param name="Node">The owning member's address, like <c>akka.tcp://mmap@127.0.0.1:4053</c>.</param>
public sealed record OwnerLocation(string Key, Address Node) : IClusterMessage;
