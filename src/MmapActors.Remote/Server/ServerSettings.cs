using Akka.Configuration;

namespace MmapActors.Remote.Server;

/// <summary>The <c>mmap.server</c> block (see <c>config/server.hocon</c> for every key and its default): the door,
/// sessions and the budgets of each peer.</summary>
public sealed record ServerSettings
{
    /// <summary>Name of the door actor, at <c>/user/{GatewayName}</c>: the only path a peer can select.</summary>
    public string GatewayName { get; init; } = "mmap-server";

    /// <summary>How often a session sends its client a <see cref="Protocol.Checkpoint"/> (the client's proof of life).</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A session whose client has not acknowledged a checkpoint for this long is closed.</summary>
    public TimeSpan PeerTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Sessions open at once, over every peer.</summary>
    public int MaxSessions { get; init; } = 1024;

    /// <summary>Sessions one peer node (one Akka address) may hold at once.</summary>
    public int MaxSessionsPerNode { get; init; } = 16;

    /// <summary>Handles one session may hold at once.</summary>
    public int MaxHandlesPerSession { get; init; } = 256;

    /// <summary>Bytes one session may have mapped at once (all its handles).</summary>
    public long MaxMappedBytesPerSession { get; init; } = 16L << 30;

    /// <summary>Private memory (anonymous and copy-on-write maps, counted at their full length) one session may hold.</summary>
    public long MaxPrivateBytesPerSession { get; init; } = 256L << 20;

    /// <summary>Private memory every session together may hold.</summary>
    public long MaxPrivateBytes { get; init; } = 4L << 30;

    /// <summary>Bytes one session may add to files over its life (the lengths of the files it creates and the growth of its
    /// resizes); past it, creates and growing resizes are refused with EDQUOT.</summary>
    public long MaxGrowthBytesPerSession { get; init; } = 16L << 30;

    /// <summary>Requests of one session being served at once; more are refused with EAGAIN.</summary>
    public int MaxRequestsInFlight { get; init; } = 256;

    /// <summary>Reply bytes a client may leave unacknowledged; past this its session stops serving it until it catches up.</summary>
    public long MaxUnacknowledgedReplyBytes { get; init; } = 64L << 20;

    /// <summary>A checkpoint is sent after this many reply bytes (and every <see cref="CheckpointInterval"/>).</summary>
    public long CheckpointBytes { get; init; } = 4L << 20;

    /// <summary>Whether the server may listen on a non-loopback address without TLS.</summary>
    public bool AllowInsecureNonLoopback { get; init; }

    /// <summary>Reads and validates the <c>mmap.server</c> block.</summary>
    /// <exception cref="ConfigurationException">A value is out of range.</exception>
    public static ServerSettings Create(Config server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var settings = new ServerSettings
        {
            GatewayName = server.GetString("gateway-name"),
            CheckpointInterval = server.GetTimeSpan("checkpoint-interval"),
            PeerTimeout = server.GetTimeSpan("peer-timeout"),
            MaxSessions = server.GetInt("max-sessions"),
            MaxSessionsPerNode = server.GetInt("max-sessions-per-node"),
            MaxHandlesPerSession = server.GetInt("session.max-handles"),
            MaxMappedBytesPerSession = server.GetByteSize("session.max-mapped-bytes") ?? 0,
            MaxPrivateBytesPerSession = server.GetByteSize("session.max-private-bytes") ?? 0,
            MaxPrivateBytes = server.GetByteSize("max-private-bytes") ?? 0,
            MaxGrowthBytesPerSession = server.GetByteSize("session.max-growth-bytes") ?? 0,
            MaxRequestsInFlight = server.GetInt("session.max-requests-in-flight"),
            MaxUnacknowledgedReplyBytes = server.GetByteSize("session.max-unacknowledged-reply-bytes") ?? 0,
            CheckpointBytes = server.GetByteSize("session.checkpoint-bytes") ?? 0,
            AllowInsecureNonLoopback = server.GetBoolean("allow-insecure-non-loopback"),
        };
        if (string.IsNullOrWhiteSpace(settings.GatewayName) || settings.CheckpointInterval <= TimeSpan.Zero ||
            settings.PeerTimeout < settings.CheckpointInterval * 2 || settings.MaxSessions <= 0 || settings.MaxSessionsPerNode <= 0 ||
            settings.MaxHandlesPerSession <= 0 || settings.MaxMappedBytesPerSession <= 0 || settings.MaxPrivateBytesPerSession < 0 || settings.MaxGrowthBytesPerSession <= 0 ||
            settings.MaxPrivateBytes < settings.MaxPrivateBytesPerSession || settings.MaxRequestsInFlight <= 0 ||
            settings.CheckpointBytes <= 0 || settings.MaxUnacknowledgedReplyBytes < settings.CheckpointBytes * 2)
        {
            throw new ConfigurationException(
                $"mmap.server settings out of range: {settings} (peer-timeout must be at least two checkpoint intervals, " +
                "max-unacknowledged-reply-bytes at least two checkpoint-bytes, max-private-bytes at least the per-session one)");
        }
        return settings;
    }
}
