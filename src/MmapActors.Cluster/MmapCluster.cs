using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using MmapActors.Actors;

namespace MmapActors.Cluster;

/// <summary>
/// MmapActors over an Akka.Cluster: each file has exactly one owner in the whole cluster, a sharded entity keyed by its
/// canonical path relative to the shared root, and every node runs a <see cref="Router"/> that speaks the supervisor's
/// protocol, so <see cref="MmapClient"/> and <see cref="IMappedFile"/> work on any node unchanged. Anonymous maps stay
/// node-local. See docs/cluster.md.
/// </summary>
/// <example>
/// <code>
/// var system = MmapCluster.CreateSystem(new MmapClusterOptions { Root = "/srv/shared", Port = 4053 });
/// await MmapCluster.Get(system).WhenUp;
/// await using var client = MmapClient.Create(system, MmapCluster.Get(system).Router);
/// await using var file = await client.OpenAsync("data.bin");
/// </code>
/// </example>
public sealed class MmapCluster : IExtension
{
    /// <summary>The member system's name: every member of one cluster has it (seed addresses name it).</summary>
    public const string SystemName = "mmap";

    private static readonly Lazy<Config> ClusterConfig = new(() =>
    {
        using var stream = typeof(MmapCluster).Assembly.GetManifestResourceStream("MmapActors.Cluster.cluster.conf")
                           ?? throw new InvalidOperationException("MmapActors.Cluster.cluster.conf is not embedded");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    });

    private readonly Akka.Cluster.Cluster _cluster;
    private readonly FileEntityContext _context;

    internal MmapCluster(ExtendedActorSystem system)
    {
        Settings = MmapClusterSettings.Create(system);
        if (MemberListenSecurity.Refusal(system.Settings.Config) is { } refusal)
        {
            // A system built without CreateConfig (Akka.Hosting): its port is bound already, and the cluster extension
            // (loaded by the provider) may be joining its seeds. Stop it all rather than leave an unguarded member up.
            system.Terminate();
            throw new ConfigurationException(refusal);
        }
        _cluster = Akka.Cluster.Cluster.Get(system);
        var mmap = MmapExtension.Get(system);
        if (mmap.Settings.ServedRoot.Length == 0)
        {
            throw new ConfigurationException("a cluster node needs a shared root (mmap.served-root, MmapClusterOptions.Root)");
        }
        _context = new FileEntityContext(ServedRoot.Open(mmap.Settings.ServedRoot, mmap.Settings.ReadOnly), mmap.Settings);
        system.RegisterOnTermination(_context.Root.Dispose);
        var sharding = ClusterSharding.Get(system);
        var shardingSettings = ClusterShardingSettings.Create(system);
        var context = _context;
        Region = sharding.Start(Settings.TypeName, id => FileEntity.Props(id, context), shardingSettings,
            new FileShardExtractor(Settings.ShardCount), sharding.DefaultShardAllocationStrategy(shardingSettings), StopFileEntity.Instance);
        _context.Region = Region;
        system.SystemActorOf(MovedOwnerResponder.Props(Settings.TypeName), "mmap-moved-owners");
        Router = system.ActorOf(ClusterRouter.Props(_context, Region, mmap.Supervisor, Settings.OwnerSearchTimeout), Settings.RouterName);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _cluster.RegisterOnMemberUp(up.SetResult);
        WhenUp = up.Task;
        if (system.Settings.Config.GetStringList("akka.cluster.seed-nodes").Count == 0)
        {
            _cluster.Join(_cluster.SelfAddress); // no seeds: this node starts a cluster of its own
        }
    }

    /// <summary>What this member's file entities share (tests read its registry and counters).</summary>
    internal FileEntityContext Context => _context;

    /// <summary>The <c>mmap.cluster</c> settings.</summary>
    public MmapClusterSettings Settings { get; }

    /// <summary>This node's router: give it to <see cref="MmapClient.Create(ActorSystem, IActorRef, TimeSpan?)"/>, or
    /// send it <see cref="GetOwner"/>.</summary>
    public IActorRef Router { get; }

    /// <summary>The shard region of file owners on this node (send it Akka's <c>GetShardRegionState</c> to see the owners
    /// it runs).</summary>
    public IActorRef Region { get; }

    /// <summary>This member's address, like <c>akka.tcp://mmap@127.0.0.1:4053</c>.</summary>
    public Address SelfAddress => _cluster.SelfAddress;

    /// <summary>Completes once this member is Up in the cluster.</summary>
    public Task WhenUp { get; }

    /// <summary>Only <c>config/cluster.hocon</c>, for a builder that composes its own configuration (Akka.Hosting).</summary>
    internal static Config ClusterDefaults => ClusterConfig.Value;

    /// <summary>The reference configuration of a member system: <c>config/cluster.hocon</c> over <c>config/mmap.hocon</c>.</summary>
    public static Config DefaultConfig => ClusterConfig.Value.WithFallback(MmapSettings.DefaultConfig);

    /// <summary>The extension of the member system <paramref name="system"/> (whose provider must be <c>cluster</c>),
    /// started on first use: it joins the cluster (or starts one when no seed is configured).</summary>
    public static MmapCluster Get(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return system.WithExtension<MmapCluster, MmapClusterProvider>();
    }

    /// <summary>The configuration of a member system started with <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">A seed address that is not <c>akka.tcp://mmap@host:port</c>; or a member port on
    /// a non-loopback host without TLS on the member transport, unless <see cref="MmapClusterOptions.AllowInsecureMembers"/>
    /// (or <c>mmap.cluster.allow-insecure-members</c>) accepts it.</exception>
    public static Config CreateConfig(MmapClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.Root);
        ArgumentException.ThrowIfNullOrEmpty(options.Host);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Port, 65535);
        ArgumentNullException.ThrowIfNull(options.SeedNodes);
        foreach (string seed in options.SeedNodes)
        {
            CheckSeed(seed);
        }
        var lines = new List<string>
        {
            $"akka.remote.dot-netty.tcp.hostname = {Quote(options.Host)}",
            $"akka.remote.dot-netty.tcp.port = {options.Port}",
            $"mmap.served-root = {Quote(Path.GetFullPath(options.Root))}",
        };
        if (options.PublicHost is not null)
        {
            ArgumentException.ThrowIfNullOrEmpty(options.PublicHost, nameof(options.PublicHost));
            lines.Add($"akka.remote.dot-netty.tcp.public-hostname = {Quote(options.PublicHost)}");
        }
        if (options.SeedNodes.Count > 0)
        {
            lines.Add($"akka.cluster.seed-nodes = [{string.Join(", ", options.SeedNodes.Select(Quote))}]");
        }
        if (options.ReadOnly)
        {
            lines.Add("mmap.read-only = on");
        }
        if (options.AllowInsecureMembers)
        {
            lines.Add($"{MemberListenSecurity.AllowKey} = on");
        }
        var config = ConfigurationFactory.ParseString(string.Join("\n", lines))
            .WithFallback(options.Config ?? Config.Empty)
            .WithFallback(DefaultConfig);
        if (MemberListenSecurity.Refusal(config) is { } refusal)
        {
            throw new ArgumentException(refusal, nameof(options));
        }
        return config;
    }

    /// <summary>Starts a member system (named <see cref="SystemName"/>) with <paramref name="options"/> and this extension
    /// in it; <see cref="WhenUp"/> tells when it has joined.</summary>
    public static ActorSystem CreateSystem(MmapClusterOptions options)
    {
        var system = ActorSystem.Create(SystemName, CreateConfig(options));
        try
        {
            Get(system);
            return system;
        }
        catch
        {
            system.Terminate().Wait(TimeSpan.FromSeconds(10));
            throw;
        }
    }

    /// <summary>Which member owns <paramref name="path"/> (relative to the shared root), as <see cref="GetOwner"/> tells;
    /// while the file's owner is moving (its node failed), it asks again until <c>mmap.ask-timeout</c>.</summary>
    /// <exception cref="MmapException">The root refuses the path (FileNotFoundError, a path leaving the root...), or
    /// <see cref="MmapErrorCode.OwnerMoved"/> when the owner did not settle in time.</exception>
    public async Task<Address> OwnerOfAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var deadline = DateTime.UtcNow + _context.Settings.AskTimeout;
        while (true)
        {
            object reply;
            try
            {
                // Short attempts: a query that went to a member just lost vanishes, and asking again is harmless.
                reply = await Router.Ask<object>(new GetOwner(path), AttemptTimeout(deadline), cancellationToken).ConfigureAwait(false);
            }
            catch (AskTimeoutException) when (DateTime.UtcNow < deadline)
            {
                continue;
            }
            switch (reply)
            {
                case OwnerLocation location:
                    return location.Node;
                case Protocol.MmapError { Code: MmapErrorCode.OwnerMoved } when DateTime.UtcNow < deadline:
                    await Task.Delay(100, cancellationToken).ConfigureAwait(false);
                    break;
                case Protocol.MmapError error:
                    throw error.ToException();
                default:
                    throw new InvalidOperationException($"Unexpected reply to GetOwner: {reply}");
            }
        }
    }

    private static TimeSpan AttemptTimeout(DateTime deadline) =>
        TimeSpan.FromTicks(Math.Clamp((deadline - DateTime.UtcNow).Ticks, TimeSpan.FromMilliseconds(100).Ticks, TimeSpan.FromSeconds(5).Ticks));

    /// <summary>
    /// Aborts a member as a crash would, for tests and drills in one process: its transport is cut first (every
    /// association drops at once, as when its process dies: no Leave, no hand-off, no last message), then its
    /// ActorSystem terminates (running CoordinatedShutdown only if <c>run-by-actor-system-terminate</c> is on, which
    /// can no longer reach anyone). The other members see it fall silent and the split-brain resolver downs it.
    /// </summary>
    internal static async Task AbortAsync(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        var provider = (Akka.Remote.RemoteActorRefProvider)((ExtendedActorSystem)system).Provider;
        await provider.Transport.Shutdown().ConfigureAwait(false);
        await system.Terminate().ConfigureAwait(false);
    }

    private static void CheckSeed(string seed)
    {
        Address address;
        try
        {
            address = Address.Parse(seed);
        }
        catch (Exception e) when (e is UriFormatException or ArgumentException or FormatException)
        {
            throw new ArgumentException($"'{seed}' is not a member address like akka.tcp://{SystemName}@127.0.0.1:4053: {e.Message}", nameof(MmapClusterOptions.SeedNodes), e);
        }
        if (address.Protocol != "akka.tcp" || address.System != SystemName || address.Host is null || address.Port is null)
        {
            throw new ArgumentException($"'{seed}' is not a member address like akka.tcp://{SystemName}@127.0.0.1:4053", nameof(MmapClusterOptions.SeedNodes));
        }
    }

    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}

/// <summary>Creates <see cref="MmapCluster"/>; Akka.NET's extension mechanism needs it public.</summary>
public sealed class MmapClusterProvider : ExtensionIdProvider<MmapCluster>
{
    /// <inheritdoc />
    public override MmapCluster CreateExtension(ExtendedActorSystem system) => new(system);
}
