namespace MmapActors.Hosting;

/// <summary>
/// What a hosted node serves to other nodes, applied by
/// <see cref="MmapAkkaHostingExtensions.WithMmapServer(Akka.Hosting.AkkaConfigurationBuilder, MmapServerHostingOptions)"/>;
/// bound from the configuration section <see cref="SectionName"/>. Nulls keep the defaults of <c>config/server.hocon</c>.
/// </summary>
/// <remarks>
/// Clients connect with <c>MmapRemote.ConnectAsync("akka.tcp://{system}@{host}:{port}")</c>, where <c>{system}</c>
/// is the name given to <c>AddAkka</c>.
/// </remarks>
public sealed class MmapServerHostingOptions
{
    /// <summary>The configuration section the options are bound from: <c>MmapActors:Server</c>.</summary>
    public const string SectionName = MmapActorsOptions.SectionName + ":Server";

    /// <summary>The directory served; every client path is resolved beneath it. Required; created if missing.</summary>
    public string Root { get; set; } = "";

    /// <summary>The address to listen on (default 127.0.0.1: expose it deliberately).</summary>
    public string? Host { get; set; }

    /// <summary>The TCP port (default 4053; 0 picks a free one).</summary>
    public int? Port { get; set; }

    /// <summary>The host name advertised to clients when it differs from <see cref="Host"/> (NAT, containers).</summary>
    public string? PublicHost { get; set; }

    /// <summary>The port advertised to clients when it differs from <see cref="Port"/>.</summary>
    public int? PublicPort { get; set; }

    /// <summary>The port of the HTTP data plane (<c>mmap.http.port</c>, docs/remote.md): null keeps the configuration's
    /// (0, off, unless the application's HOCON sets it), 0 turns it off, -1 picks a free port. It listens on
    /// <c>mmap.http.host</c> (127.0.0.1) and stops before the maps are flushed at shutdown; its URL is
    /// <c>MmapExtension.Get(system).DataPlane.BaseUrl</c>.</summary>
    public int? HttpPort { get; set; }

    /// <summary>Let the HTTP data plane accept writes (PUT, POST ?flush) without any credential when it has no token
    /// (<c>mmap.http.anonymous-writes</c>): null keeps the configuration's (off, loopback included).</summary>
    public bool? HttpAnonymousWrites { get; set; }

    /// <summary>Connections one client address may hold on the HTTP data plane (<c>mmap.http.max-connections-per-address</c>):
    /// null keeps the configuration's (64).</summary>
    public int? HttpMaxConnectionsPerAddress { get; set; }

    /// <summary>How long an idle HTTP connection is kept between requests (<c>mmap.http.keep-alive-timeout</c>): null
    /// keeps the configuration's (15 s).</summary>
    public TimeSpan? HttpKeepAliveTimeout { get; set; }

    /// <summary>Bytes per second an HTTP request body must keep up (<c>mmap.http.min-body-rate</c>): null keeps the
    /// configuration's (8 KiB/s, after <c>mmap.http.body-grace-period</c>, 2 s).</summary>
    public long? HttpMinBodyRate { get; set; }

    /// <summary>Serve files read-only: every open for writing is refused.</summary>
    public bool ReadOnly { get; set; }

    /// <summary>Listen on a non-loopback address without TLS all the same (refused at start otherwise: the traffic,
    /// session names included, would cross the network in clear).</summary>
    public bool AllowInsecureNonLoopback { get; set; }
}
