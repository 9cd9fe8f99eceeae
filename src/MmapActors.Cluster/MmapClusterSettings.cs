using Akka.Actor;
using Akka.Configuration;

namespace MmapActors.Cluster;

/// <summary>The <c>mmap.cluster</c> block (see <c>config/cluster.hocon</c> for every key and its default).</summary>
/// <param name="TypeName">The sharded entity type of file owners.</param>
/// <param name="ShardCount">Shards files are spread over; the same on every member, for the cluster's whole life.</param>
/// <param name="RouterName">The router's name, at <c>/user/{RouterName}</c>.</param>
/// <param name="OwnerSearchTimeout">How long a <see cref="FindOwner"/> waits for the members' answers
/// (<c>owner-search-timeout</c>); a member silent by then counts as not running the owner. Above zero, and capped at
/// <c>mmap.ask-timeout</c>.</param>
public sealed record MmapClusterSettings(string TypeName, int ShardCount, string RouterName, TimeSpan OwnerSearchTimeout)
{
    /// <summary>Reads the settings of a member system, validating every value.</summary>
    public static MmapClusterSettings Create(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        system.Settings.InjectTopLevelFallback(MmapCluster.DefaultConfig);
        var config = system.Settings.Config;
        var block = config.GetConfig("mmap.cluster");
        var search = block.GetTimeSpan("owner-search-timeout", null, allowInfinite: false);
        if (search <= TimeSpan.Zero)
        {
            throw new ConfigurationException($"mmap.cluster.owner-search-timeout {search} out of range: must be above zero");
        }
        // Capped, not refused: an operator who shortens mmap.ask-timeout below the default search bound should not
        // have to know this key exists.
        var askTimeout = config.GetTimeSpan("mmap.ask-timeout", null, allowInfinite: false);
        var settings = new MmapClusterSettings(block.GetString("type-name"), block.GetInt("shard-count"), block.GetString("router-name"),
            askTimeout > TimeSpan.Zero && askTimeout < search ? askTimeout : search);
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
