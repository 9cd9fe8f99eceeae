using MmapActors.Cluster;
using MmapActors.Tests.Conformance;

namespace MmapActors.Tests.Cluster;

/// <summary>Three members for the replays of <see cref="ClusterConformanceTests"/>, shared by every trace.</summary>
public sealed class ThreeNodeClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public IReadOnlyList<MmapClient> Clients { get; private set; } = [];

    public async Task InitializeAsync()
    {
        Cluster = await TestCluster.StartAsync(3);
        Clients = Cluster.Nodes.Select(n => MmapClient.Create(n, MmapCluster.Get(n).Router)).ToArray();
    }

    /// <summary>A client on a member that does not own <paramref name="path"/> (relative to the root).</summary>
    public async ValueTask<MmapClient> ClientAwayFromOwnerOfAsync(string path)
    {
        var owner = await MmapCluster.Get(Cluster.Nodes[0]).OwnerOfAsync(path);
        int away = Enumerable.Range(0, Cluster.Nodes.Count).First(i => MmapCluster.Get(Cluster.Nodes[i]).SelfAddress != owner);
        return Clients[away];
    }

    public async Task DisposeAsync()
    {
        foreach (var client in Clients)
        {
            await client.DisposeAsync();
        }
        await Cluster.DisposeAsync();
    }
}

/// <summary>The CPython traces replayed through a member that does not own the file: every op goes from a worker on one
/// node to the file's owner on another.</summary>
[Trait("Category", "Conformance")]
[Trait("Category", "Cluster")]
public sealed class ClusterConformanceTests(ThreeNodeClusterFixture fixture) : IClassFixture<ThreeNodeClusterFixture>
{
    [Theory]
    [MemberData(nameof(ConformanceTraces.All), MemberType = typeof(ConformanceTraces))]
    public async Task A_node_that_does_not_own_the_file_replays_the_CPython_trace_without_a_mismatch(string trace)
    {
        var replayer = TraceReplayer.Load(trace);
        var problems = await replayer.ReplayAsync((path, _) =>
        {
            string? relative = path is null ? null : Path.GetRelativePath(fixture.Cluster.Root, path);
            return new ClientMapUnderTest(
                () => relative is null ? new ValueTask<MmapClient>(fixture.Clients[1]) : fixture.ClientAwayFromOwnerOfAsync(relative),
                relative);
        }, workDirectory: fixture.Cluster.Root);
        Assert.True(problems.Count == 0,
            $"{problems.Count} mismatches in {Path.GetFileName(trace)} ({replayer.ComparedOps} ops compared):\n" +
            string.Join("\n", problems.Take(25)));
        Assert.True(replayer.ComparedOps > 0, "the trace had no op to compare");
    }
}
