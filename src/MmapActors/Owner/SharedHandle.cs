using MmapActors.Protocol;

namespace MmapActors.Owner;

/// <summary>
/// One client handle on a file, like a separate Python mmap object over it: its own cursor, access mode and leases.
/// The pages are those of its <see cref="Mapping"/>, which handles opened with the same offset, length, flags,
/// protection and access share (a copy-on-write handle always has a mapping of its own: its private pages).
/// </summary>
internal sealed class SharedHandle(long id, MapOptions options, object client, Mapping mapping)
{
    public long Id { get; } = id;

    /// <summary>The options the handle was opened with (a re-open or a split uses them).</summary>
    public MapOptions Options { get; } = options;

    /// <summary>Who holds the handle: the shell's client identity (an actor, for the owner actor).</summary>
    public object Client { get; } = client;

    public Mapping Mapping { get; set; } = mapping;

    /// <summary>The handle's cursor (Python's <c>tell()</c>); it may exceed the length after a shrink, as in CPython.</summary>
    public long Position { get; set; }

    /// <summary>Leases taken with <see cref="AcquireLease"/>, released in order.</summary>
    public Stack<MemoryMapLease> Leases { get; } = new();

    /// <summary>The handle's length (the mapping's).</summary>
    public long Length => Mapping.Map.Length;
}
