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
