using Akka.Actor;

namespace MmapActors.Remote.Server;

/// <summary>One handle of a session: the owner that serves it, the owner's id for it, and what it costs the session.</summary>
internal sealed class SessionHandle(long id, IActorRef owner, long ownerHandleId, string key, bool isPrivate, long length)
{
    /// <summary>The id the peer knows; meaningful only inside this session.</summary>
    public long Id { get; } = id;

    public IActorRef Owner { get; } = owner;

    public long OwnerHandleId { get; } = ownerHandleId;

    /// <summary>The path relative to the served root, or <c>anonymous:N</c>.</summary>
    public string Key { get; } = key;

    /// <summary>Anonymous or copy-on-write: its length is private memory of the server.</summary>
    public bool IsPrivate { get; } = isPrivate;

    /// <summary>The length last known to the session (at open and after its own resizes).</summary>
    public long Length { get; set; } = length;

    /// <summary>Set when the owner stopped for good: the handle's map is gone.</summary>
    public string? LostReason { get; set; }
}
