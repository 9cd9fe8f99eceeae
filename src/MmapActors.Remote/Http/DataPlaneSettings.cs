using System.Net;
using Akka.Configuration;

namespace MmapActors.Remote.Http;

/// <summary>The <c>mmap.http</c> block: where the HTTP data plane listens and how it guards the files (see
/// <c>config/server.hocon</c> and docs/remote.md).</summary>
/// <param name="Host">The address to listen on (an IP address or <c>localhost</c>).</param>
/// <param name="Port">The TCP port; 0 turns the data plane off, <see cref="MmapServerOptions.AnyHttpPort"/> picks a free one.</param>
/// <param name="Token">The bearer token that grants full access; empty: none (then only tickets, or nothing on loopback).</param>
/// <param name="CertificatePath">A PKCS#12 (.pfx) certificate: serve HTTPS. Empty: plain HTTP.</param>
/// <param name="CertificatePassword">The certificate's password.</param>
/// <param name="AllowInsecureBind">Accept a non-loopback bind without HTTPS and a token (an explicit, documented risk).</param>
/// <param name="ChunkSize">Bytes moved per owner turn.</param>
/// <param name="TicketLifetime">How long a ticket stays valid.</param>
/// <param name="HandleIdleTimeout">How long an unused cached handle stays open.</param>
/// <param name="InlineScheduling">Run requests on the socket's I/O thread instead of handing each to the thread pool
/// (Kestrel's <c>UnsafePreferInlineScheduling</c>; plain HTTP only, see docs/remote.md for the trade-off).</param>
/// <param name="MaxConnections">Connections open at once (Kestrel's <c>MaxConcurrentConnections</c>); one more is closed
/// at once, unanswered. At least 1: a server that anyone can make open connections until it runs out of descriptors
/// (which the owners need too) has no use for "unlimited".</param>
/// <param name="KeepAliveTimeout">How long an idle connection is kept between requests (Kestrel's <c>KeepAliveTimeout</c>).</param>
/// <param name="RequestHeadersTimeout">How long a client has to send a request's headers (Kestrel's
/// <c>RequestHeadersTimeout</c>).</param>
/// <param name="AnonymousWrites">Accept PUT and POST ?flush without any credential when no token is configured. Off by
/// default, on loopback too: every local user and process reaches a loopback port.</param>
/// <param name="MaxConnectionsPerAddress">Connections one client address (an IPv6 client: its /64) may hold at once;
/// one more is closed at once, unanswered (<see cref="ConnectionsPerAddress"/>). Capped at
/// <see cref="MaxConnections"/>.</param>
/// <param name="MinBodyRate">Bytes per second a request body must keep up, after <see cref="BodyGracePeriod"/>: per
/// chunk of the body (<see cref="BodyPace"/>) and on average (Kestrel's <c>MinRequestBodyDataRate</c>).</param>
/// <param name="BodyGracePeriod">How long a chunk of a body may lag behind <see cref="MinBodyRate"/> (more than 1 s:
/// Kestrel checks rates once a second).</param>
public sealed record DataPlaneSettings(
    string Host = "127.0.0.1",
    int Port = 0,
    string Token = "",
    string CertificatePath = "",
    string CertificatePassword = "",
    bool AllowInsecureBind = false,
    int ChunkSize = 256 << 10,
    TimeSpan? TicketLifetime = null,
    TimeSpan? HandleIdleTimeout = null,
    bool InlineScheduling = true,
    int MaxConnections = DataPlaneSettings.DefaultMaxConnections,
    TimeSpan? KeepAliveTimeout = null,
    TimeSpan? RequestHeadersTimeout = null,
    bool AnonymousWrites = false,
    int MaxConnectionsPerAddress = DataPlaneSettings.DefaultMaxConnectionsPerAddress,
    long MinBodyRate = DataPlaneSettings.DefaultMinBodyRate,
    TimeSpan? BodyGracePeriod = null)
{
    /// <summary>The default of <see cref="MaxConnections"/>: nginx's <c>worker_connections</c> default is 512 per worker,
    /// two workers on two cores; far below the usual 65,536-descriptor limit of a process.</summary>
    public const int DefaultMaxConnections = 1024;

    /// <summary>The default of <see cref="MaxConnectionsPerAddress"/>: a sixteenth of <see cref="DefaultMaxConnections"/>,
    /// so that it takes sixteen addresses to fill the server, and far more than one client's parallel transfers need
    /// (our remote client uses one connection per transfer in flight; browsers open six per host).</summary>
    public const int DefaultMaxConnectionsPerAddress = 64;

    /// <summary>The default of <see cref="MinBodyRate"/>: 8 KiB/s (64 kbit/s), below any link a bulk upload has any
    /// business on, and high enough that a stalled 64 KiB chunk is cut within 10 s (with the 2 s grace).</summary>
    public const long DefaultMinBodyRate = 8 << 10;

    /// <summary>Whether the data plane is on.</summary>
    public bool Enabled => Port != 0;

    /// <summary>Whether HTTPS is configured.</summary>
    public bool Tls => CertificatePath.Length > 0;

    /// <summary>The ticket lifetime, defaulted.</summary>
    public TimeSpan EffectiveTicketLifetime => TicketLifetime ?? TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether requests run on the I/O thread: when <see cref="InlineScheduling"/> is on and the data plane serves plain
    /// HTTP. Never with HTTPS, whose handshakes cost milliseconds of CPU that would stall every other connection of the
    /// I/O thread.
    /// </summary>
    public bool RunsInline => InlineScheduling && !Tls;

    /// <summary>The keep-alive timeout, defaulted (15 s, far below Kestrel's 130 s: an idle connection holds a slot of
    /// <see cref="MaxConnections"/>, and a client that comes back later pays one new connection, on loopback or a LAN
    /// well under a millisecond).</summary>
    public TimeSpan EffectiveKeepAliveTimeout => KeepAliveTimeout ?? TimeSpan.FromSeconds(15);

    /// <summary>The body grace period, defaulted (2 s).</summary>
    public TimeSpan EffectiveBodyGracePeriod => BodyGracePeriod ?? TimeSpan.FromSeconds(2);

    /// <summary>Connections one address may hold: <see cref="MaxConnectionsPerAddress"/>, at most
    /// <see cref="MaxConnections"/>.</summary>
    public int EffectiveMaxConnectionsPerAddress => Math.Min(MaxConnectionsPerAddress, MaxConnections);

    /// <summary>The request-headers timeout, defaulted (10 s, below Kestrel's 30 s: a client sends its headers in one
    /// packet, and one that trickles them is holding a connection).</summary>
    public TimeSpan EffectiveRequestHeadersTimeout => RequestHeadersTimeout ?? TimeSpan.FromSeconds(10);

    /// <summary>The cached-handle idle timeout, defaulted.</summary>
    public TimeSpan EffectiveHandleIdleTimeout => HandleIdleTimeout ?? TimeSpan.FromSeconds(10);

    /// <summary>Reads an <c>mmap.http</c> block (missing keys keep the defaults above).</summary>
    public static DataPlaneSettings FromConfig(Config? http)
    {
        if (http is null || http.IsEmpty)
        {
            return new DataPlaneSettings();
        }
        return new DataPlaneSettings(
            http.GetString("host", "127.0.0.1"),
            http.GetInt("port", 0),
            http.GetString("token", ""),
            http.GetString("certificate.path", ""),
            http.GetString("certificate.password", ""),
            http.GetBoolean("allow-insecure-bind", false),
            checked((int)(http.GetByteSize("chunk-size") ?? (256 << 10))),
            http.GetTimeSpan("ticket-lifetime", TimeSpan.FromSeconds(30)),
            http.GetTimeSpan("handle-idle-timeout", TimeSpan.FromSeconds(10)),
            http.GetBoolean("inline-scheduling", true),
            http.GetInt("max-connections", DefaultMaxConnections),
            http.GetTimeSpan("keep-alive-timeout", TimeSpan.FromSeconds(15)),
            http.GetTimeSpan("request-headers-timeout", TimeSpan.FromSeconds(10)),
            http.GetBoolean("anonymous-writes", false),
            http.GetInt("max-connections-per-address", DefaultMaxConnectionsPerAddress),
            http.GetByteSize("min-body-rate") ?? DefaultMinBodyRate,
            http.GetTimeSpan("body-grace-period", TimeSpan.FromSeconds(2)));
    }

    /// <summary>The address to bind, checked.</summary>
    /// <exception cref="ArgumentException">The host is not an IP address or <c>localhost</c>.</exception>
    public IPAddress BindAddress => Host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        ? IPAddress.Loopback
        : IPAddress.TryParse(Host.Trim('[', ']'), out var ip)
            ? ip
            : throw new ArgumentException($"mmap.http.host = '{Host}' is not an IP address (or localhost)");

    /// <summary>
    /// Refuses settings that would expose the files carelessly: a non-loopback bind needs HTTPS (else tokens, tickets and
    /// data travel in clear) and a token (else anyone who reaches the port reads and writes every served file), unless
    /// <see cref="AllowInsecureBind"/> says the risk is accepted. Also checks the ranges of the numbers.
    /// </summary>
    /// <exception cref="ArgumentException">What is wrong, and what to set.</exception>
    public void Validate()
    {
        if (Port is < MmapServerOptions.AnyHttpPort or > 65535)
        {
            throw new ArgumentException($"mmap.http.port = {Port} is outside 0..65535 (0 turns the data plane off)");
        }
        if (ChunkSize is < 4096 or > 16 << 20)
        {
            throw new ArgumentException($"mmap.http.chunk-size = {ChunkSize} is outside 4 KiB..16 MiB");
        }
        if (EffectiveTicketLifetime <= TimeSpan.Zero || EffectiveHandleIdleTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("mmap.http.ticket-lifetime and mmap.http.handle-idle-timeout must be positive");
        }
        if (MaxConnections < 1)
        {
            throw new ArgumentException($"mmap.http.max-connections = {MaxConnections} must be at least 1 (there is no unlimited: every connection holds a descriptor)");
        }
        if (EffectiveKeepAliveTimeout <= TimeSpan.Zero || EffectiveRequestHeadersTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("mmap.http.keep-alive-timeout and mmap.http.request-headers-timeout must be positive");
        }
        if (MaxConnectionsPerAddress < 1)
        {
            throw new ArgumentException($"mmap.http.max-connections-per-address = {MaxConnectionsPerAddress} must be at least 1");
        }
        if (MinBodyRate < 1 || EffectiveBodyGracePeriod <= TimeSpan.FromSeconds(1))
        {
            throw new ArgumentException(
                $"mmap.http.min-body-rate = {MinBodyRate} must be at least 1 byte/s and mmap.http.body-grace-period = {EffectiveBodyGracePeriod} more than 1 s (Kestrel checks rates once a second)");
        }
        if (!Enabled || IPAddress.IsLoopback(BindAddress) || AllowInsecureBind)
        {
            return;
        }
        if (!Tls || Token.Length == 0)
        {
            throw new ArgumentException(
                $"Refusing to serve files over HTTP on {Host}, which is not a loopback address, without " +
                (Tls ? "a bearer token (mmap.http.token): anyone who reaches the port could read and write every served file" :
                    Token.Length == 0 ? "HTTPS (mmap.http.certificate.path) and a bearer token (mmap.http.token): anyone who reaches the port could read and write every served file"
                    : "HTTPS (mmap.http.certificate.path): the token, the tickets and the data would cross the network in clear") +
                ". Configure them, bind 127.0.0.1, or set mmap.http.allow-insecure-bind = on to accept the risk.");
        }
    }
}
