using Akka;
using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Remote.Hosting;
using MmapActors.Actors;
using MmapActors.Cluster;
using MmapActors.Remote;
using MmapActors.Remote.Http;
using MmapActors.Remote.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MmapActors.Hosting;

/// <summary>
/// Akka.Hosting integration: adds MmapActors (and optionally serving a directory to other nodes) to the ActorSystem
/// that <c>services.AddAkka(...)</c> builds.
/// </summary>
/// <example>
/// <code>
/// var builder = Host.CreateApplicationBuilder(args);
/// builder.Services.AddMmapActors(builder.Configuration);      // options from "MmapActors", MmapClient in DI
/// builder.Services.AddAkka("mmap", (akka, sp) => akka
///     .WithMmapActors(sp, options => options.IdleTimeout = TimeSpan.FromSeconds(5))
///     .WithMmapServer(sp));                                   // optional: serve "MmapActors:Server:Root"
/// </code>
/// </example>
/// <remarks>
/// Precedence, highest first: the options, the application's own HOCON, <c>config/server.hocon</c> (served nodes),
/// <c>config/mmap.hocon</c>. The last is injected as the system's lowest fallback when the extension starts (as
/// <see cref="MmapExtension"/> always does) rather than appended to the builder: appended, it would shadow the
/// server's limits whenever <see cref="WithMmapActors(AkkaConfigurationBuilder, MmapActorsOptions)"/> is called before
/// <see cref="WithMmapServer(AkkaConfigurationBuilder, MmapServerHostingOptions)"/>.
/// </remarks>
public static class MmapAkkaHostingExtensions
{
    /// <summary>
    /// One delegate instance for every call: Akka.Hosting keeps its starters in a set, so calling both
    /// <c>WithMmapActors</c> and <c>WithMmapServer</c> (or either twice) starts the extension once.
    /// </summary>
    private static readonly ActorStarter StartMmapExtension = (system, registry) =>
    {
        var extension = MmapExtension.Get(system);
        registry.TryRegister<MmapSupervisorKey>(extension.Supervisor);
        return Task.CompletedTask;
    };

    /// <summary>
    /// Starts MmapActors with the system: applies <paramref name="options"/> over the HOCON, starts
    /// <see cref="MmapExtension"/> (supervisor and shutdown flush) when the host starts, registers the supervisor as
    /// <see cref="MmapSupervisorKey"/>, and sends Akka's logs to the host's <c>ILoggerFactory</c> unless the
    /// application configured <c>akka.loggers</c> itself.
    /// </summary>
    /// <exception cref="ConfigurationException">An option is out of range (checked now, not at start-up).</exception>
    public static AkkaConfigurationBuilder WithMmapActors(this AkkaConfigurationBuilder builder, MmapActorsOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        var overrides = MmapHocon.From(options);
        // Fail at configuration time with the offending values, not later inside the host's start-up.
        MmapSettings.Create(overrides.WithFallback(MmapSettings.DefaultConfig).GetConfig("mmap"));
        if (!overrides.IsEmpty)
        {
            builder.AddHocon(overrides, HoconAddMode.Prepend);
        }
        RouteLogsToLoggerFactoryUnlessConfigured(builder);
        return builder.WithActors(StartMmapExtension);
    }

    /// <summary>Starts MmapActors with default options changed by <paramref name="configure"/>.</summary>
    public static AkkaConfigurationBuilder WithMmapActors(this AkkaConfigurationBuilder builder, Action<MmapActorsOptions>? configure = null)
    {
        var options = new MmapActorsOptions();
        configure?.Invoke(options);
        return builder.WithMmapActors(options);
    }

    /// <summary>
    /// Starts MmapActors with the options bound in <paramref name="services"/> (see
    /// <see cref="MmapServiceCollectionExtensions.AddMmapActors"/>), changed by <paramref name="configure"/>.
    /// </summary>
    public static AkkaConfigurationBuilder WithMmapActors(this AkkaConfigurationBuilder builder, IServiceProvider services,
        Action<MmapActorsOptions>? configure = null)
    {
        var options = Create<MmapActorsOptions>(services);
        configure?.Invoke(options);
        return builder.WithMmapActors(options);
    }

    /// <summary>
    /// Serves <see cref="MmapServerHostingOptions.Root"/> to other nodes: remoting (Akka.Remote.Hosting) on the given
    /// host and port, MmapActors' serialization bindings and limits from <c>config/server.hocon</c>, every path
    /// resolved beneath the root, and read-only mode if asked. Starts MmapActors as
    /// <see cref="WithMmapActors(AkkaConfigurationBuilder, MmapActorsOptions)"/> does.
    /// </summary>
    /// <exception cref="ArgumentException">The root is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A port is outside 0..65535.</exception>
    public static AkkaConfigurationBuilder WithMmapServer(this AkkaConfigurationBuilder builder, MmapServerHostingOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Root))
        {
            throw new ArgumentException("MmapServerHostingOptions.Root (MmapActors:Server:Root) names no directory to serve.", nameof(options));
        }
        if (options.Port is < 0 or > 65535 || options.PublicPort is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"{options.Port} / {options.PublicPort}", "Ports must be within 0..65535.");
        }
        if (options.HttpPort is < MmapServerOptions.AnyHttpPort or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.HttpPort, "The HTTP port must be within -1..65535 (0: off, -1: any free port).");
        }
        string root = Path.GetFullPath(options.Root);
        Directory.CreateDirectory(root);

        builder.AddHocon(MmapHocon.ServedRoot(root, options.ReadOnly), HoconAddMode.Prepend);
        if (options.AllowInsecureNonLoopback)
        {
            builder.AddHocon("mmap.server.allow-insecure-non-loopback = on", HoconAddMode.Prepend);
        }
        if (options.HttpPort is { } httpPort)
        {
            builder.AddHocon($"mmap.http.port = {httpPort.ToString(System.Globalization.CultureInfo.InvariantCulture)}", HoconAddMode.Prepend);
        }
        if (options.HttpAnonymousWrites is { } anonymousWrites)
        {
            builder.AddHocon($"mmap.http.anonymous-writes = {(anonymousWrites ? "on" : "off")}", HoconAddMode.Prepend);
        }
        if (options.HttpMaxConnectionsPerAddress is { } perAddress)
        {
            builder.AddHocon(FormattableString.Invariant($"mmap.http.max-connections-per-address = {perAddress}"), HoconAddMode.Prepend);
        }
        if (options.HttpKeepAliveTimeout is { } keepAlive)
        {
            builder.AddHocon(FormattableString.Invariant($"mmap.http.keep-alive-timeout = {(long)keepAlive.TotalMilliseconds}ms"), HoconAddMode.Prepend);
        }
        if (options.HttpMinBodyRate is { } minBodyRate)
        {
            builder.AddHocon(FormattableString.Invariant($"mmap.http.min-body-rate = {minBodyRate}"), HoconAddMode.Prepend);
        }
        // Appended: the application's HOCON and the options (prepended) override the server defaults.
        builder.AddHocon(RemoteConfig.ServerDefaults, HoconAddMode.Append);
        builder.WithRemoting(new RemoteOptions
        {
            HostName = options.Host,
            Port = options.Port,
            PublicHostName = options.PublicHost,
            PublicPort = options.PublicPort,
        });
        RouteLogsToLoggerFactoryUnlessConfigured(builder);
        return builder.WithActors(StartMmapExtension).WithActors(StartServer);
    }

    /// <summary>Starts the door that peers connect through, after checking what the server listens on, and the HTTP
    /// data plane when <c>mmap.http.port</c> turns it on, as <c>MmapServer</c> and <c>mmapctl serve</c> do.</summary>
    private static readonly ActorStarter StartServer = async (system, registry) =>
    {
        ListenSecurity.CheckRunning(system.Settings.Config);
        registry.TryRegister<MmapServerGatewayKey>(MmapServerExtension.Get(system).Gateway);
        var http = DataPlaneSettings.FromConfig(system.Settings.Config.GetConfig("mmap.http"));
        if (!http.Enabled)
        {
            return;
        }
        string? host = ((ExtendedActorSystem)system).Provider.DefaultAddress.Host;
        var dataPlane = await DataPlaneServer.StartAsync(system, http, host).ConfigureAwait(false);
        // Before the actors stop: running requests end, and no request reaches an owner that is flushing and closing.
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceUnbind, "mmap-http-data-plane", async () =>
        {
            await dataPlane.StopAsync().ConfigureAwait(false);
            return Done.Instance;
        });
    };

    /// <summary>Serves a directory with default options changed by <paramref name="configure"/> (which must set the root).</summary>
    public static AkkaConfigurationBuilder WithMmapServer(this AkkaConfigurationBuilder builder, Action<MmapServerHostingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new MmapServerHostingOptions();
        configure(options);
        return builder.WithMmapServer(options);
    }

    /// <summary>Serves a directory with the options bound in <paramref name="services"/> (section
    /// <see cref="MmapServerHostingOptions.SectionName"/>), changed by <paramref name="configure"/>.</summary>
    public static AkkaConfigurationBuilder WithMmapServer(this AkkaConfigurationBuilder builder, IServiceProvider services,
        Action<MmapServerHostingOptions>? configure = null)
    {
        var options = Create<MmapServerHostingOptions>(services);
        configure?.Invoke(options);
        return builder.WithMmapServer(options);
    }

    /// <summary>
    /// Makes the hosted ActorSystem (named <c>mmap</c>) a cluster member over a shared root (docs/cluster.md): remoting
    /// on the member port, clustering with <c>config/cluster.hocon</c>'s sharding and split-brain settings, and
    /// MmapActors' sharded file owners; the member's router is registered under <see cref="MmapClusterRouterKey"/>.
    /// Members trust each other: keep the member port private (or use TLS).
    /// </summary>
    /// <exception cref="ArgumentException">No root, or a seed that is not a member address.</exception>
    public static AkkaConfigurationBuilder WithMmapCluster(this AkkaConfigurationBuilder builder, MmapClusterHostingOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Root))
        {
            throw new ArgumentException("MmapClusterHostingOptions.Root (MmapActors:Cluster:Root) names no shared directory.", nameof(options));
        }
        if (options.Port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Port, "The member port must be within 0..65535.");
        }
        // The same checks as a member started from code (seed addresses, the port).
        MmapCluster.CreateConfig(new MmapClusterOptions { Root = options.Root, SeedNodes = options.SeedNodes ?? [] });
        string root = Path.GetFullPath(options.Root);
        Directory.CreateDirectory(root);

        builder.AddHocon(MmapHocon.ServedRoot(root, options.ReadOnly), HoconAddMode.Prepend);
        if (options.AllowInsecureMembers)
        {
            // Checked when the member starts (MmapCluster.Get), against the system's final configuration: TLS set in the
            // application's own HOCON is only known then.
            builder.AddHocon($"{MemberListenSecurity.AllowKey} = on", HoconAddMode.Prepend);
        }
        builder.AddHocon(MmapCluster.ClusterDefaults, HoconAddMode.Append);
        builder.WithRemoting(new RemoteOptions { HostName = options.Host ?? "127.0.0.1", Port = options.Port ?? 4053 });
        builder.WithClustering(new ClusterOptions { SeedNodes = options.SeedNodes ?? [] });
        RouteLogsToLoggerFactoryUnlessConfigured(builder);
        return builder.WithActors(StartMmapExtension).WithActors(StartCluster);
    }

    /// <summary>As <see cref="WithMmapCluster(AkkaConfigurationBuilder, MmapClusterHostingOptions)"/>, configured by a delegate.</summary>
    public static AkkaConfigurationBuilder WithMmapCluster(this AkkaConfigurationBuilder builder, Action<MmapClusterHostingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new MmapClusterHostingOptions();
        configure(options);
        return builder.WithMmapCluster(options);
    }

    private static readonly ActorStarter StartCluster = (system, registry) =>
    {
        registry.TryRegister<MmapClusterRouterKey>(MmapCluster.Get(system).Router);
        return Task.CompletedTask;
    };

    /// <summary>A fresh options object from the factory, so that <c>configure</c> never changes the instance that
    /// <c>IOptions&lt;T&gt;</c> hands to the rest of the application.</summary>
    private static T Create<T>(IServiceProvider services)
        where T : class, new()
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.GetService<IOptionsFactory<T>>()?.Create(Options.DefaultName) ?? new T();
    }

    private static void RouteLogsToLoggerFactoryUnlessConfigured(AkkaConfigurationBuilder builder)
    {
        var current = builder.Configuration.GetOrElse(Config.Empty);
        if (current.HasPath("akka.loggers"))
        {
            return; // the application chose its loggers (ConfigureLoggers or HOCON), or an earlier call did
        }
        var level = current.HasPath("akka.loglevel") ? ParseLevel(current.GetString("akka.loglevel")) : Akka.Event.LogLevel.InfoLevel;
        builder.ConfigureLoggers(setup =>
        {
            setup.LogLevel = level;
            setup.ClearLoggers();
            // Not Akka.Hosting's LoggerFactoryLogger, which passes Akka's formatted line (level, time, thread,
            // source) to providers that add their own level and time: every line was prefixed twice.
            setup.AddLogger<Logging.MmapHostLogger>();
        });
    }

    private static Akka.Event.LogLevel ParseLevel(string level) => level.ToUpperInvariant() switch
    {
        "DEBUG" => Akka.Event.LogLevel.DebugLevel,
        "WARNING" => Akka.Event.LogLevel.WarningLevel,
        "ERROR" or "OFF" => Akka.Event.LogLevel.ErrorLevel,
        _ => Akka.Event.LogLevel.InfoLevel,
    };
}
