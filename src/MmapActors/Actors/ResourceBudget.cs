using System.Collections.Concurrent;
using Akka.Actor;

namespace MmapActors.Actors;

/// <summary>
/// The limits every owner of a supervisor shares (<c>mmap.limits</c>): handles per client node, bytes mapped in
/// total, and the free-space floor (<see cref="Disk"/>). Owners run on several threads, so the counts are updated atomically.
/// </summary>
/// <remarks>A handle's holder is an opaque object to the file logic: an actor is counted by its node's address, anything
/// else (a test's string) by itself.</remarks>
internal sealed class ResourceBudget(MmapSettings settings, IFreeSpaceProbe? freeSpace = null)
{
    private readonly ConcurrentDictionary<object, int> _handlesPerNode = new();
    private long _mappedBytes;

    /// <summary><c>mmap.limits.min-free-disk</c>: every create and growth of a file asks it first.</summary>
    public DiskFloor Disk { get; } = new(settings.MinFreeDisk, freeSpace);

    /// <summary>Bytes mapped by every handle together.</summary>
    public long MappedBytes => Interlocked.Read(ref _mappedBytes);

    /// <summary>What <paramref name="client"/>'s handles are counted under.</summary>
    private static object HolderOf(object client) => client is IActorRef actor ? actor.Path.Address : client;

    /// <summary>The holder's name in a refusal.</summary>
    public string HolderName(object client) => HolderOf(client).ToString() ?? "";

    /// <summary>Counts a new handle of <paramref name="client"/>'s node, unless that node is at its limit.</summary>
    public bool TryAddHandle(object client)
    {
        int limit = settings.MaxHandlesPerNode;
        var node = HolderOf(client);
        while (true)
        {
            int current = _handlesPerNode.GetOrAdd(node, 0);
            if (limit > 0 && current >= limit)
            {
                return false;
            }
            if (_handlesPerNode.TryUpdate(node, current + 1, current))
            {
                return true;
            }
        }
    }

    /// <summary>Forgets a handle of <paramref name="client"/>'s node.</summary>
    public void RemoveHandle(object client) =>
        _handlesPerNode.AddOrUpdate(HolderOf(client), 0, (_, current) => Math.Max(0, current - 1));

    /// <summary>Reserves <paramref name="bytes"/> of mapping, unless that would pass <c>max-mapped-bytes</c>.</summary>
    public bool TryMap(long bytes)
    {
        if (bytes <= 0)
        {
            Unmap(-bytes);
            return true;
        }
        long limit = settings.MaxMappedBytes;
        while (true)
        {
            long current = Interlocked.Read(ref _mappedBytes);
            if (limit > 0 && current + bytes > limit)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _mappedBytes, current + bytes, current) == current)
            {
                return true;
            }
        }
    }

    /// <summary>Accounts for a length change that already happened (a handle following another's resize).</summary>
    public void Adjust(long delta) => Interlocked.Add(ref _mappedBytes, delta);

    /// <summary>Returns <paramref name="bytes"/> of mapping to the budget.</summary>
    public void Unmap(long bytes) => Interlocked.Add(ref _mappedBytes, -bytes);
}
