using System.Collections.Concurrent;
using Akka.Actor;
using MmapActors.Actors;

namespace MmapActors.Cluster;

/// <summary>What every file owner entity of a member shares: the shared root (opened once per member), the <c>mmap</c>
/// settings and the member's resource budget, and the shard region (to which an entity on its way out returns late
/// opens).</summary>
internal sealed class FileEntityContext(ServedRoot root, MmapSettings settings)
{
    public ServedRoot Root { get; } = root;

    public MmapSettings Settings { get; } = settings;

    public ResourceBudget Budget { get; } = new(settings);

    /// <summary>The shard region; set once it has started (entities start only after that).</summary>
    public IActorRef Region { get; set; } = ActorRefs.Nobody;

    private readonly ConcurrentDictionary<string, bool> _running = new(StringComparer.Ordinal);
    private long _entitiesStarted;

    /// <summary>How many file entities this member has started (tests: a query that must not start one).</summary>
    public long EntitiesStarted => Interlocked.Read(ref _entitiesStarted);

    /// <summary>An entity started.</summary>
    public void EntityStarted() => Interlocked.Increment(ref _entitiesStarted);

    /// <summary>Whether an entity of this member runs an owner of <paramref name="entityId"/> now (and is not on its way
    /// out): what <see cref="RunsOwner"/> answers, without asking the shard region (which would start the entity).</summary>
    public bool IsRunning(string entityId) => _running.ContainsKey(entityId);

    /// <summary>The entity of <paramref name="entityId"/> says whether it runs an owner.</summary>
    public void SetRunning(string entityId, bool running)
    {
        if (running)
        {
            _running[entityId] = true;
        }
        else
        {
            _running.TryRemove(entityId, out _);
        }
    }

    /// <summary>The entity id of a canonical absolute path beneath the root, or null when it is not beneath it.</summary>
    public string? EntityIdOf(string canonicalKey)
    {
        string prefix = Root.RootPath.EndsWith('/') ? Root.RootPath : Root.RootPath + "/";
        return canonicalKey.StartsWith(prefix, StringComparison.Ordinal) && canonicalKey.Length > prefix.Length
            ? canonicalKey[prefix.Length..]
            : null;
    }

    /// <summary>The canonical absolute path (the owner's key) of an entity id.</summary>
    public string KeyOf(string entityId) => Root.RootPath.EndsWith('/') ? Root.RootPath + entityId : Root.RootPath + "/" + entityId;
}
