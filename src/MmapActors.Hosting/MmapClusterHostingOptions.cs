namespace MmapActors.Hosting;

/// <summary>
/// A hosted cluster member (docs/cluster.md), applied by
/// <see cref="MmapAkkaHostingExtensions.WithMmapCluster(Akka.Hosting.AkkaConfigurationBuilder, MmapClusterHostingOptions)"/>;
/// bound from the configuration section <see cref="SectionName"/>. The ActorSystem must be named <c>mmap</c>
/// (<c>AddAkka("mmap", ...)</c>): seed addresses name it.
/// </summary>
public sealed class MmapClusterHostingOptions
{
    /// <summary>The configuration section the options are bound from: <c>MmapActors:Cluster</c>.</summary>
    public const string SectionName = MmapActorsOptions.SectionName + ":Cluster";

    /// <summary>The shared root every member sees. Required; created if missing.</summary>
    public string Root { get; set; } = "";

    /// <summary>The member endpoint's host (default 127.0.0.1: the member port must stay private).</summary>
    public string? Host { get; set; }

    /// <summary>The member port (default 4053; 0 picks a free one).</summary>
    public int? Port { get; set; }

    /// <summary>Seed members, like <c>akka.tcp://mmap@10.0.0.1:4053</c>; none: this member starts a cluster of its own.</summary>
    public string[] SeedNodes { get; set; } = [];

    /// <summary>Open files read-only on this member.</summary>
    public bool ReadOnly { get; set; }

    /// <summary>Accept a member port beyond loopback without TLS (<c>mmap.cluster.allow-insecure-members</c>, as
    /// <see cref="Cluster.MmapClusterOptions.AllowInsecureMembers"/>). Members trust each other completely, so a clear-text
    /// member port is refused when the member starts unless this is set: only for a network that nobody but the members
    /// can reach (docs/cluster.md).</summary>
    public bool AllowInsecureMembers { get; set; }
}
