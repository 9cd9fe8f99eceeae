using System.Collections.Concurrent;
using Akka.Actor;

namespace MmapActors.Actors;

/// <summary>
/// The limits every owner of a supervisor shares (<c>mmap.limits</c>): handles per client node, handles in the whole
/// process (<see cref="OpenFiles"/>, sized from its descriptor and mapping limits), bytes mapped in total, and the
/// free-space floor (<see cref="Disk"/>). Owners run on several threads, so the counts are updated atomically.
/// </summary>
/// <remarks>A handle's holder is an opaque object to the file logic: an actor is counted by its node's address, anything
/// else (a test's string) by itself.</remarks>
internal sealed class ResourceBudget(MmapSettings settings, IFreeSpaceProbe? freeSpace = null, OpenFileBudget? openFiles = null)
{
    private readonly ConcurrentDictionary<object, int> _handlesPerNode = new();
    private long _mappedBytes;
    private int _handles;
    private int _opening;

    /// <summary>The process's handle budget; null: only <c>max-handles-per-node</c> applies.</summary>
    public OpenFileBudget? OpenFiles => openFiles;

    /// <summary>Handles open in every node together.</summary>
    public int Handles => Volatile.Read(ref _handles);

    /// <summary><c>mmap.limits.min-free-disk</c>: every create and growth of a file asks it first.</summary>
    public DiskFloor Disk { get; } = new(settings.MinFreeDisk, freeSpace);

    /// <summary>Bytes mapped by every handle together.</summary>
    public long MappedBytes => Interlocked.Read(ref _mappedBytes);

    /// <summary>What <paramref name="client"/>'s handles are counted under.</summary>
    private static object HolderOf(object client) => client is IActorRef actor ? actor.Path.Address : client;

    /// <summary>The holder's name in a refusal.</summary>
    private static string HolderName(object client) => HolderOf(client).ToString() ?? "";

    /// <summary>The refusal of an open now, when the handles open and the opens under way take every handle the
    /// process's budget allows; otherwise null. Asked before an open takes a descriptor at all (the supervisor resolving
    /// a served path): a burst of concurrent opens cannot take more descriptors than the budget either.</summary>
    public MmapException? RefuseIfFull() =>
        openFiles is { } budget && (long)Handles + Volatile.Read(ref _opening) >= budget.MaxHandles ? Owner.Limits.ProcessHandles(budget) : null;

    /// <summary>Counts an open whose descriptor was taken (a served path resolved) and that no handle counts yet.</summary>
    public void OpenStarted() => Interlocked.Increment(ref _opening);

    /// <summary>An open counted by <see cref="OpenStarted"/> became a handle, or failed: its descriptor is closed.</summary>
    public void OpenEnded() => Interlocked.Decrement(ref _opening);

    /// <summary>Counts a new handle of <paramref name="client"/>'s node, unless the process or that node is at its limit.</summary>
    /// <returns>Null when counted; otherwise the refusal (EMFILE, or ENOMEM when mappings bind).</returns>
    public MmapException? AddHandle(object client)
    {
        if (Interlocked.Increment(ref _handles) > (openFiles?.MaxHandles ?? int.MaxValue))
        {
            Interlocked.Decrement(ref _handles);
            return Owner.Limits.ProcessHandles(openFiles!);
        }
        if (!TryAddNodeHandle(client))
        {
            Interlocked.Decrement(ref _handles);
            return Owner.Limits.TooManyHandles(HolderName(client), settings.MaxHandlesPerNode);
        }
        return null;
    }

    private bool TryAddNodeHandle(object client)
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
    public void RemoveHandle(object client)
    {
        _handlesPerNode.AddOrUpdate(HolderOf(client), 0, (_, current) => Math.Max(0, current - 1));
        Interlocked.Decrement(ref _handles);
    }

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
