using Akka.Actor;
using MmapActors.Protocol;

namespace MmapActors.Actors;

/// <summary>One client handle on a file: its own map object (own cursor, access mode and, for copy-on-write, own
/// private pages), like a separate Python mmap object over the same file.</summary>
internal sealed class HandleState(long id, MapOptions options, IActorRef client, MemoryMap map)
{
    public long Id { get; } = id;

    public MapOptions Options { get; } = options;

    public IActorRef Client { get; } = client;

    public MemoryMap Map { get; set; } = map;

    /// <summary>Leases taken with <see cref="AcquireLease"/>, released in order.</summary>
    public Stack<MemoryMapLease> Leases { get; } = new();

    /// <summary>A length another handle's resize asked for while this one was leased; applied at release.</summary>
    public long? PendingLength { get; set; }

    /// <summary>Whether the handle's pages are shared with the file (so it follows other handles' resizes).</summary>
    public bool IsShared => !Map.IsPrivate && !Map.IsAnonymous;
}
