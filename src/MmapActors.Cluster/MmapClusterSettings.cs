using Akka.Actor;
using Akka.Configuration;

namespace MmapActors.Cluster;

/// <summary>The <c>mmap.cluster</c> block (see <c>config/cluster.hocon</c> for every key and its default).</summary>
/// <param name="TypeName">The sharded entity type of file owners.</param>
/// <param name="ShardCount">Shards files are spread over; the same on every member, for the cluster's whole life.</param>
/// <param name="RouterName">The router's name, at <c>/user/{RouterName}</c>.</param>
public sealed record MmapClusterSettings(string TypeName, int ShardCount, string RouterName)
{
    /// <summary>Reads the settings of a member system, validating every value.</summary>
    public static MmapClusterSettings Create(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        system.Settings.InjectTopLevelFallback(MmapCluster.DefaultConfig);
        var block = system.Settings.Config.GetConfig("mmap.cluster");
        var settings = new MmapClusterSettings(block.GetString("type-name"), block.GetInt("shard-count"), block.GetString("router-name"));
        if (string.IsNullOrWhiteSpace(settings.TypeName) || string.IsNullOrWhiteSpace(settings.RouterName) || settings.ShardCount <= 0)
        {
            throw new ConfigurationException(
                $"mmap.cluster settings out of range: type-name '{settings.TypeName}', router-name '{settings.RouterName}', shard-count {settings.ShardCount}");
        }
        if (!block.GetBoolean("trusted-members"))
        {
            throw new ConfigurationException("mmap.cluster.trusted-members must be on in a member system (config/cluster.hocon)");
        }
        return settings;
    }
}
