using System.Net;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using MmapActors.Actors;
using MmapActors.DataPlane;

namespace MmapActors.Remote.Http;

/// <summary>
/// The HTTP/1.1 data plane: Kestrel serving the node's served root next to Akka.Remote, so that curl, browsers, any
/// language's HTTP client and our own remote client move bulk bytes without Akka.Remote's per-message costs. Control
/// (open, close, supervision) stays on actor messages. See docs/remote.md for the protocol, the security model and the
/// consistency guarantee.
/// </summary>
public sealed class DataPlaneServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly MmapClient _client;
    private readonly HandleCache _handles;
    private readonly ServedRoot _root;
    private readonly DataPlaneSlot _slot;
    private readonly DataPlaneHandler _handler;
    private readonly ResponseBlockPoolFactory _blockPools;
    private int _stopped;

    private DataPlaneServer(WebApplication app, DataPlaneHandler handler, ResponseBlockPoolFactory blockPools, MmapClient client, HandleCache handles, ServedRoot root, DataPlaneSlot slot,
        Uri baseUrl, TicketAuthority tickets)
    {
        _handler = handler;
        _blockPools = blockPools;
        _app = app;
        _client = client;
        _handles = handles;
        _root = root;
        _slot = slot;
        BaseUrl = baseUrl;
        Tickets = tickets;
    }

    /// <summary>Where it listens, ending in <c>/</c>: a file's URL is this plus its path beneath the served root.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The authority whose tickets it accepts (the supervisor issues them through <see cref="Protocol.OpenDataPlane"/>).</summary>
    public TicketAuthority Tickets { get; }

    /// <summary>Requests handled so far.</summary>
    internal long RequestsHandled => _handler.Requests;

    /// <summary>Socket buffer blocks allocated so far (<see cref="ResponseBlockPool"/>).</summary>
    internal long BlocksAllocated => _blockPools.BlocksAllocated;

    /// <summary>Starts the data plane of <paramref name="system"/>'s MmapActors node (which must serve a root) and
    /// registers it with the node's supervisor, which then hands out tickets for it.</summary>
    /// <param name="system">The node.</param>
    /// <param name="settings">The <c>mmap.http</c> block; must be enabled.</param>
    /// <param name="advertisedHost">The host put in <see cref="BaseUrl"/> when binding every address (the node's remoting host).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="ArgumentException">The settings are refused (see <see cref="DataPlaneSettings.Validate"/>), or the node serves no root.</exception>
    /// <exception cref="IOException">The port is taken.</exception>
    public static async Task<DataPlaneServer> StartAsync(ActorSystem system, DataPlaneSettings settings, string? advertisedHost = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        if (!settings.Enabled)
        {
            throw new ArgumentException("mmap.http.port is 0: the data plane is off", nameof(settings));
        }
        var extension = MmapExtension.Get(system);
        var mmap = extension.Settings;
        if (mmap.ServedRoot.Length == 0)
        {
            throw new ArgumentException("the data plane needs a served root (mmap.served-root)", nameof(system));
        }
        var bind = settings.BindAddress;
        int port = settings.Port == MmapServerOptions.AnyHttpPort ? 0 : settings.Port;
        var certificate = settings.Tls
            ? X509CertificateLoader.LoadPkcs12FromFile(settings.CertificatePath, settings.CertificatePassword.Length == 0 ? null : settings.CertificatePassword)
            : null;

        var root = ServedRoot.Open(mmap.ServedRoot, mmap.ReadOnly);
        var client = MmapClient.Create(system);
        var handles = new HandleCache(root, client, settings.EffectiveHandleIdleTimeout, TimeSpan.FromSeconds(1));
        var tickets = TicketAuthority.Create(settings.EffectiveTicketLifetime);
        WebApplication? app = null;
        try
        {
            var handler = new DataPlaneHandler(root, client, handles, tickets, new DataPlaneAuth(settings.Token),
                mmap.MaxRangeLength > 0 ? (int)Math.Min(settings.ChunkSize, mmap.MaxRangeLength) : settings.ChunkSize, mmap.MaxFileSize,
                settings.RunsInline, settings.AnonymousWrites, BodyPace.Create(settings.MinBodyRate, settings.EffectiveBodyGracePeriod));
            var perAddress = ConnectionsPerAddress.Create(settings.EffectiveMaxConnectionsPerAddress);
            var blockPools = new ResponseBlockPoolFactory();
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.WebHost.UseKestrelCore();
            // A request's work is short and never blocks on another thread (an owner turn is awaited, not waited for), so
            // running it on the socket's I/O thread saves a thread-pool hop per request (docs/remote.md, "Threads").
            builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = settings.RunsInline);
            // Blocks that hold a response's headers and a 4 KiB range together, so that it leaves in one send (ResponseBlockPool).
            builder.Services.AddSingleton<IMemoryPoolFactory<byte>>(blockPools);
            if (certificate is not null)
            {
                builder.WebHost.UseKestrelHttpsConfiguration();
            }
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.AddServerHeader = false;
                kestrel.Limits.MaxRequestBodySize = null; // bounded by mmap.limits.max-file-size instead
                // Bounded so that no crowd of idle, slow or hostile clients can take every descriptor of the process: one
                // connection past the limit is closed unanswered (and one past its address's share, ConnectionsPerAddress);
                // idle ones, ones that trickle their headers, and bodies slower than min-body-rate are cut (BodyPace
                // bounds a stall per chunk; Kestrel's rate, an average over the body, also covers draining a body).
                kestrel.Limits.MaxConcurrentConnections = settings.MaxConnections;
                kestrel.Limits.KeepAliveTimeout = settings.EffectiveKeepAliveTimeout;
                kestrel.Limits.RequestHeadersTimeout = settings.EffectiveRequestHeadersTimeout;
                kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(settings.MinBodyRate, settings.EffectiveBodyGracePeriod);
                // Room for a couple of chunks in flight, so the owner reads the next chunk while the socket sends.
                kestrel.Limits.MaxResponseBufferSize = Math.Max(64 << 10, 2L * settings.ChunkSize);
                kestrel.Listen(bind, port, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1;
                    // First, so that a connection past its address's share costs no TLS handshake.
                    listen.Use(perAddress.Wrap);
                    if (certificate is not null)
                    {
                        listen.UseHttps(certificate);
                    }
                });
            });
            app = builder.Build();
            // Kestrel runs the handler itself (DataPlaneApplication): the host, its middleware and its per-request
            // diagnostics would only sit in between.
            var server = app.Services.GetRequiredService<IServer>();
            await server.StartAsync(new DataPlaneApplication(handler), cancellationToken).ConfigureAwait(false);

            var address = server.Features.Get<IServerAddressesFeature>()!.Addresses.First();
            int boundPort = new Uri(address).Port;
            string host = IPAddress.Any.Equals(bind) || IPAddress.IPv6Any.Equals(bind)
                ? advertisedHost ?? Dns.GetHostName()
                : bind.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{bind}]" : bind.ToString();
            var baseUrl = new Uri($"{(certificate is null ? "http" : "https")}://{host}:{boundPort}/");
            var slot = extension.DataPlaneSlot;
            slot.Endpoint = new DataPlaneEndpoint(baseUrl, tickets);
            return new DataPlaneServer(app, handler, blockPools, client, handles, root, slot, baseUrl, tickets);
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }
            await handles.DisposeAsync().ConfigureAwait(false);
            await client.DisposeAsync().ConfigureAwait(false);
            root.Dispose();
            tickets.Dispose();
            throw;
        }
    }

    /// <summary>Stops accepting requests, lets running ones end (briefly), closes the cached handles and withdraws the
    /// data plane from the supervisor.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }
        _slot.Endpoint = null;
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await _app.Services.GetRequiredService<IServer>().StopAsync(timeout.Token).ConfigureAwait(false);
        }
        await _app.DisposeAsync().ConfigureAwait(false);
        await _handles.DisposeAsync().ConfigureAwait(false);
        if (!_client.System.WhenTerminated.IsCompleted)
        {
            await _client.DisposeAsync().ConfigureAwait(false);
        }
        _root.Dispose();
        Tickets.Dispose();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
