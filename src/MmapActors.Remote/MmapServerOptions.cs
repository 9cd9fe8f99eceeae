namespace MmapActors.Remote;

/// <summary>What an <see cref="MmapServer"/> serves, where, and within which limits. Nulls keep the defaults of
/// <c>config/server.hocon</c>.</summary>
/// <param name="Root">The directory served; every client path is resolved beneath it. Created if missing.</param>
/// <param name="Host">The address to listen on (default 127.0.0.1).</param>
/// <param name="Port">The TCP port (default 4053; 0 picks a free one).</param>
/// <param name="ReadOnly">Serve files read-only: every open for writing is refused.</param>
/// <param name="ConfigFile">A HOCON file whose keys override the defaults (the options above override it).</param>
/// <param name="Config">HOCON text with the highest precedence after the options (tests, embedding).</param>
/// <param name="HttpPort">The HTTP data plane's port (<c>mmap.http.port</c>, default 0): 0 turns it off,
/// <see cref="AnyHttpPort"/> picks a free one. It listens on <c>mmap.http.host</c> (default 127.0.0.1).</param>
public sealed record MmapServerOptions(
    string Root,
    string? Host = null,
    int? Port = null,
    bool ReadOnly = false,
    string? ConfigFile = null,
    string? Config = null,
    int? HttpPort = null)
{
    /// <summary>Listen on a non-loopback address without TLS all the same (refused otherwise: the traffic, session
    /// names included, would cross the network in clear). Same as <c>mmap.server.allow-insecure-non-loopback</c>.</summary>
    public bool AllowInsecureNonLoopback { get; init; }

    /// <summary>The <see cref="HttpPort"/> that asks for any free port (0 already means "off").</summary>
    public const int AnyHttpPort = -1;

    /// <summary>The name of the server's ActorSystem, part of its address (<c>akka.tcp://mmap@host:port</c>).</summary>
    public const string SystemName = "mmap";
}
