using Akka.Configuration;

namespace MmapActors.Cluster;

/// <summary>How a cluster node's member system starts (<see cref="MmapCluster.CreateSystem"/>); these options take
/// precedence over <see cref="Config"/>, which takes precedence over <c>config/cluster.hocon</c>.</summary>
public sealed record MmapClusterOptions
{
    /// <summary>The shared root: the directory every member sees (one directory on one machine, a network or cluster file
    /// system across machines). Every path is relative to it, and a file's owner is keyed by its canonical path in it.</summary>
    public required string Root { get; init; }

    /// <summary>The member endpoint's host (loopback by default: the member port must stay private, docs/cluster.md).</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The host name the member advertises in its address (<c>akka.remote.dot-netty.tcp.public-hostname</c>), which
    /// the other members and seed lists must use; null: <see cref="Host"/>. Set it when <see cref="Host"/> is a wildcard
    /// (0.0.0.0) or a name the other members cannot reach.</summary>
    public string? PublicHost { get; init; }

    /// <summary>The member port; 0 picks a free one.</summary>
    public int Port { get; init; } = 4053;

    /// <summary>Seed members, like <c>akka.tcp://mmap@127.0.0.1:4053</c>. Empty: the node starts a cluster of its own
    /// (and others may join it).</summary>
    public IReadOnlyList<string> SeedNodes { get; init; } = [];

    /// <summary>Accept a member port on a non-loopback <see cref="Host"/> without TLS on the member transport
    /// (<c>akka.remote.dot-netty.tcp.enable-ssl</c>): anyone who reaches it can join the cluster and read or change every
    /// file, so it is refused unless this is set (<c>mmap.cluster.allow-insecure-members</c>, <c>mmapctl serve --cluster
    /// --allow-insecure-members</c>). Only for a network that nobody but the members can reach.</summary>
    public bool AllowInsecureMembers { get; init; }

    /// <summary>Whether files are only ever opened read-only on this member.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>More configuration (an operator's file, test timings), below the options above.</summary>
    public Config? Config { get; init; }
}
