using MmapActors.Protocol;

namespace MmapActors.Owner;

/// <summary>
/// One mapping of a file and the handles that share it. Sharing is what keeps a write fault to one per page instead
/// of one per page and handle, and the page tables of one file to one set.
/// </summary>
internal sealed class Mapping(MemoryMap map, MapOptions options)
{
    /// <summary>The mapping; replaced by a re-open after a restart.</summary>
    public MemoryMap Map { get; set; } = map;

    /// <summary>The options it was opened with (its offset and requested length included).</summary>
    public MapOptions Options { get; } = options;

    /// <summary>Handles using it; it is closed when the last one closes.</summary>
    public int Handles { get; set; }

    /// <summary>A length another mapping's resize asked for while this one was leased; applied when the last lease goes.</summary>
    public long? PendingLength { get; set; }

    /// <summary>Whether its pages are the file's (so it follows other mappings' resizes, and others may join it).</summary>
    public bool IsShared => !Map.IsPrivate && !Map.IsAnonymous;

    /// <summary>Whether any handle holds a lease on it (the memory must not move).</summary>
    public bool IsLeased => Map.Exports > 0;

    /// <summary>Whether a handle opened with <paramref name="options"/>, whose fresh map is <paramref name="fresh"/>,
    /// sees exactly what it would see through this mapping: the same pages, length, offset and access.</summary>
    public bool CanShareWith(MapOptions options, MemoryMap fresh) =>
        IsShared && !fresh.IsPrivate && !fresh.IsAnonymous && !Map.Closed &&
        fresh.Offset == Map.Offset && fresh.Length == Map.Length && fresh.Access == Map.Access &&
        (options.Flags ?? MapFlags.Shared) == (Options.Flags ?? MapFlags.Shared) &&
        (options.Protection ?? (MapProtection.Read | MapProtection.Write)) == (Options.Protection ?? (MapProtection.Read | MapProtection.Write)) &&
        options.TrackFd == Options.TrackFd && options.OpensReadOnly == Options.OpensReadOnly &&
        PendingLength is null;
}
