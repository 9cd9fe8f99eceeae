using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using MmapActors.Cluster;

namespace MmapActors.Tests.Cluster;

/// <summary>
/// Member systems of one cluster in this process, on 127.0.0.1 with ephemeral member ports, over one shared root. The
/// timings are short so that failover fits a test (docs/cluster.md gives the production ones): a silent member is
/// unreachable after about 2.5 s, and the resolver decides 2 s after membership settles.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    /// <summary>The test timings, documented in docs/cluster.md ("Failover time").</summary>
    public const string FastFailover = """
        akka.loglevel = WARNING
        akka.cluster.failure-detector.heartbeat-interval = 500ms
        akka.cluster.failure-detector.acceptable-heartbeat-pause = 2s
        akka.cluster.split-brain-resolver.stable-after = 2s
        akka.cluster.sharding.retry-interval = 200ms
        akka.cluster.sharding.handoff-timeout = 10s
        akka.cluster.singleton.hand-over-retry-interval = 200ms
        # Terminate() aborts a member without leaving (the abrupt kill of the failover tests); a graceful leave runs
        # CoordinatedShutdown explicitly.
        akka.coordinated-shutdown.run-by-actor-system-terminate = off
        mmap.idle-timeout = 1s
        mmap.ask-timeout = 30s
        """;

    private readonly List<ActorSystem> _nodes = new();
    private readonly string _extraConfig;

    private TestCluster(string root, string extraConfig)
    {
        Root = root;
        _extraConfig = extraConfig;
    }

    /// <summary>The shared root (a fresh temporary directory, removed on dispose).</summary>
    public string Root { get; }

    /// <summary>The member systems, in start order (the first is the seed).</summary>
    public IReadOnlyList<ActorSystem> Nodes => _nodes;

    /// <summary>Starts <paramref name="count"/> members and waits until each sees all of them Up.</summary>
    public static async Task<TestCluster> StartAsync(int count, string extraConfig = "")
    {
        var cluster = new TestCluster(Directory.CreateTempSubdirectory("mmap-cluster-").FullName, extraConfig);
        try
        {
            for (int i = 0; i < count; i++)
            {
                await cluster.AddNodeAsync();
            }
            await cluster.WaitForUpAsync(count, TimeSpan.FromSeconds(30));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts one more member, seeded by the first.</summary>
    public async Task<ActorSystem> AddNodeAsync()
    {
        var seeds = _nodes.Count == 0 ? Array.Empty<string>() : [MmapCluster.Get(_nodes[0]).SelfAddress.ToString()];
        var system = MmapCluster.CreateSystem(new MmapClusterOptions
        {
            Root = Root,
            Port = 0,
            SeedNodes = seeds,
            Config = ConfigurationFactory.ParseString(FastFailover + "\n" + _extraConfig),
        });
        _nodes.Add(system);
        await MmapCluster.Get(system).WhenUp.WaitAsync(TimeSpan.FromSeconds(30));
        return system;
    }

    /// <summary>Waits until every live member sees exactly <paramref name="count"/> members, all Up.</summary>
    public Task WaitForUpAsync(int count, TimeSpan timeout) => WaitForUpAsync(Live, count, timeout);

    /// <summary>Waits until each of <paramref name="members"/> sees exactly <paramref name="count"/> members, all Up and
    /// reachable: a member that is Up itself may still see the others joining, and a stat or an open it serves then knows
    /// only itself.</summary>
    public static async Task WaitForUpAsync(IEnumerable<ActorSystem> members, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!members.All(n => Akka.Cluster.Cluster.Get(n).State.Members.Count(m => m.Status == MemberStatus.Up) == count &&
                                 Akka.Cluster.Cluster.Get(n).State.Members.Count == count &&
                                 Akka.Cluster.Cluster.Get(n).State.Unreachable.Count == 0))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the cluster did not settle at {count} Up members within {timeout}: " +
                                           string.Join("; ", members.Select(n => Akka.Cluster.Cluster.Get(n).State.ToString())));
            }
            await Task.Delay(100);
        }
    }

    /// <summary>The members still running.</summary>
    public IEnumerable<ActorSystem> Live => _nodes.Where(n => !n.WhenTerminated.IsCompleted);

    /// <summary>The member whose address is <paramref name="address"/>.</summary>
    public ActorSystem NodeAt(Address address) => _nodes.Single(n => MmapCluster.Get(n).SelfAddress == address);

    /// <summary>The entity ids each live member's region runs now (its owners), by member.</summary>
    public async Task<Dictionary<Address, HashSet<string>>> EntitiesByNodeAsync()
    {
        var result = new Dictionary<Address, HashSet<string>>();
        foreach (var node in Live)
        {
            var cluster = MmapCluster.Get(node);
            var state = await cluster.Region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(10));
            result[cluster.SelfAddress] = state.Shards.SelectMany(s => s.EntityIds).ToHashSet(StringComparer.Ordinal);
        }
        return result;
    }

    /// <summary>Aborts a member as a crash would (<see cref="MmapCluster.AbortAsync"/>): transport cut, then terminated
    /// without leaving; the others see it fall silent, and the resolver downs it.</summary>
    public static Task AbortAsync(ActorSystem node) => MmapCluster.AbortAsync(node).WaitAsync(TimeSpan.FromSeconds(30));

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_nodes.Select(n => n.Terminate().WaitAsync(TimeSpan.FromSeconds(30))));
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
