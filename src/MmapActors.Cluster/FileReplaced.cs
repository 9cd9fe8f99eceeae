namespace MmapActors.Cluster;

/// <summary>Router → a file's owner: a committed upload replaced the file (a new inode under the same name). Handles
/// already open keep the old file; the next open maps the new one, as on a single node.</summary>
/// <param name="Key">The entity id: the canonical path relative to the shared root.</param>
internal sealed record FileReplaced(string Key) : IClusterMessage;
