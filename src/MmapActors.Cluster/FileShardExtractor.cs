using System.Text;
using Akka.Cluster.Sharding;

namespace MmapActors.Cluster;

/// <summary>
/// Where a file's messages go. They always travel in a <see cref="ShardingEnvelope"/> whose entity id is the file's
/// canonical path relative to the shared root; the region unwraps envelopes itself and asks this extractor only for the
/// shard of an entity id: a stable hash of it (FNV-1a over UTF-8, the same on every member and in every process, unlike
/// <see cref="string.GetHashCode()"/>).
/// </summary>
internal sealed class FileShardExtractor : IMessageExtractor
{
    private readonly int _shardCount;

    public FileShardExtractor(int shardCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shardCount);
        _shardCount = shardCount;
    }

    // Nothing but envelopes is sent to the region: any other message has no entity (and is unhandled).
    public string? EntityId(object message) => null;

    public object? EntityMessage(object message) => message;

    public string? ShardId(object message) => EntityId(message) is { } id ? ShardOf(id) : null;

    public string ShardId(string entityId, object? messageHint = null) => ShardOf(entityId);

    /// <summary>The shard of <paramref name="entityId"/>.</summary>
    public string ShardOf(string entityId)
    {
        uint hash = 2166136261;
        foreach (byte b in Encoding.UTF8.GetBytes(entityId))
        {
            hash = (hash ^ b) * 16777619;
        }
        return (hash % (uint)_shardCount).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
