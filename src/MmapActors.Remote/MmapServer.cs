using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using MmapActors.Actors;
using MmapActors.Remote.Server;
using MmapActors.Remote.Http;

namespace MmapActors.Remote;

/// <summary>
/// A node that serves one directory's files to other nodes over Akka.Remote: an ActorSystem named <c>mmap</c> with
/// remoting, whose MmapActors supervisor (at <c>/user/mmap</c>) resolves every path beneath the served root. Clients
/// connect with <see cref="MmapRemote.ConnectAsync(string, string?, CancellationToken)"/> and get the same
/// <see cref="IMappedFile"/> API as local code.
/// </summary>
public sealed class MmapServer : IAsyncDisposable
{
    private MmapServer(ActorSystem system, IActorRef supervisor, IActorRef gateway, string root, DataPlaneServer? dataPlane)
    {
        DataPlane = dataPlane;
        System = system;
        Supervisor = supervisor;
        Gateway = gateway;
        Root = root;
        Address = ((ExtendedActorSystem)system).Provider.DefaultAddress;
    }

    /// <summary>The server's ActorSystem.</summary>
    public ActorSystem System { get; }

    /// <summary>The node's MmapActors supervisor (local code may use it; peers cannot reach it).</summary>
    public IActorRef Supervisor { get; }

    /// <summary>The door: the one actor a peer can select; it gives each peer a session of its own.</summary>
    public IActorRef Gateway { get; }

    /// <summary>The served root, as an absolute path.</summary>
    public string Root { get; }

    /// <summary>Where clients connect, e.g. <c>akka.tcp://mmap@127.0.0.1:4053</c>.</summary>
    public Address Address { get; }

    /// <summary>The HTTP data plane (<c>mmap.http</c>), or null when it is off.</summary>
    public DataPlaneServer? DataPlane { get; }

    /// <summary>Completes when the server has stopped (after <see cref="StopAsync"/>, or a CoordinatedShutdown).</summary>
    public Task WhenTerminated => System.WhenTerminated;

    /// <summary>Starts a server.</summary>
    /// <exception cref="ArgumentException">The root is empty, or the data plane's settings are refused (a non-loopback
    /// bind without HTTPS and a token, see docs/remote.md).</exception>
    /// <exception cref="MmapException">OSError EADDRINUSE (98) when the port is in use; PermissionError (EACCES, 13) for a
    /// non-loopback address without TLS (unless <see cref="MmapServerOptions.AllowInsecureNonLoopback"/>).</exception>
    public static Task<MmapServer> StartAsync(MmapServerOptions options, CancellationToken cancellationToken = default) =>
        StartAsync(options, null, cancellationToken);

    /// <summary>Starts a server whose sessions send opens and file requests to the actor <paramref name="doorTarget"/>
    /// makes in the server's system (a cluster member's bridge), or to the node's supervisor when it is null.</summary>
    internal static async Task<MmapServer> StartAsync(MmapServerOptions options, Func<ActorSystem, IActorRef>? doorTarget,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Root);
        if (options.Port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Port, "The port must be within 0..65535.");
        }
        cancellationToken.ThrowIfCancellationRequested();
        string root = Path.GetFullPath(options.Root);
        Directory.CreateDirectory(root);

        var config = BuildConfig(options, root);
        ListenSecurity.Check(config);
        var http = DataPlaneSettings.FromConfig(config.GetConfig("mmap.http"));
        http.Validate(); // before anything starts: a refused bind must not leave a half-started server
        ActorSystem system;
        try
        {
            system = ActorSystem.Create(MmapServerOptions.SystemName, config);
        }
        catch (Exception e) when (FindSocketError(e) is SocketError.AddressAlreadyInUse)
        {
            var tcp = config.GetConfig("akka.remote.dot-netty.tcp");
            throw new MmapException(MmapErrorKind.OSError,
                $"[Errno 98] Address already in use: {tcp.GetString("hostname")}:{tcp.GetInt("port")} (another server listens there)", 98, e);
        }
        DataPlaneServer? dataPlane = null;
        try
        {
            var supervisor = MmapExtension.Get(system).Supervisor;
            if (doorTarget is not null)
            {
                system.RegisterExtension(new MmapServerExtensionProvider(doorTarget));
            }
            var gateway = MmapServerExtension.Get(system).Gateway;
            if (http.Enabled)
            {
                string? host = ((ExtendedActorSystem)system).Provider.DefaultAddress.Host;
                dataPlane = await DataPlaneServer.StartAsync(system, http, host, cancellationToken).ConfigureAwait(false);
            }
            return new MmapServer(system, supervisor, gateway, root, dataPlane);
        }
        catch
        {
            await system.Terminate().ConfigureAwait(false);
            throw;
        }
    }

    private static SocketError? FindSocketError(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                return socket.SocketErrorCode;
            }
            if (e is AggregateException aggregate && aggregate.InnerExceptions.Select(FindSocketError).FirstOrDefault(x => x is not null) is { } inner)
            {
                return inner;
            }
        }
        return null;
    }

    /// <summary>The server's full configuration: options over the config text over the config file over the defaults.</summary>
    internal static Config BuildConfig(MmapServerOptions options, string root)
    {
        var overrides = new List<string>
        {
            $"mmap.served-root = {RemoteConfig.Quote(root)}",
            $"mmap.read-only = {(options.ReadOnly ? "on" : "off")}",
            // A door never trusts its peers, whatever a configuration file shared with a cluster member says.
            "mmap.cluster.trusted-members = off",
        };
        if (options.Host is { } host)
        {
            overrides.Add($"akka.remote.dot-netty.tcp.hostname = {RemoteConfig.Quote(host)}");
        }
        if (options.Port is { } port)
        {
            overrides.Add($"akka.remote.dot-netty.tcp.port = {port}");
        }
        if (options.AllowInsecureNonLoopback)
        {
            overrides.Add("mmap.server.allow-insecure-non-loopback = on");
        }
        if (options.HttpPort is { } httpPort)
        {
            overrides.Add($"mmap.http.port = {httpPort}");
        }
        var config = ConfigurationFactory.ParseString(string.Join("\n", overrides));
        if (options.Config is { } text)
        {
            config = config.WithFallback(ConfigurationFactory.ParseString(text));
        }
        if (options.ConfigFile is { } file)
        {
            config = config.WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(file)));
        }
        return ListenSecurity.TrustOnlyTheDoor(config.WithFallback(RemoteConfig.Server));
    }

    /// <summary>Stops the server: stops the data plane (running requests end first), flushes and closes every map
    /// (CoordinatedShutdown), then terminates the system.</summary>
    public async Task StopAsync()
    {
        if (DataPlane is not null)
        {
            await DataPlane.StopAsync().ConfigureAwait(false);
        }
        await CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClrExitReason.Instance).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
