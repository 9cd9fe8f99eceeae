using Akka.Actor;
using Akka.Configuration;
using MmapActors.Cluster;
using MmapActors.Remote;

namespace MmapActors.Tests.Cluster;

/// <summary>
/// Three cluster nodes in this process (each a member system and its client door, as <c>mmapctl serve --cluster</c> runs
/// them) over one shared root, and remote clients of their doors: what a door's bridge does with stats, opens and
/// operations on files owned by the other member, and when that member dies.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(NonParallelCollection.Name)]
public sealed class ClusterDoorTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("mmap-cluster-door-").FullName;
    private readonly List<MmapClusterNode> _nodes = new();
    private readonly List<MmapClient> _clients = new();

    public async Task InitializeAsync()
    {
        var config = ConfigurationFactory.ParseString(TestCluster.FastFailover);
        var door = new MmapServerOptions(_root, Port: 0, Config: "akka.loglevel = WARNING");
        _nodes.Add(await MmapClusterNode.StartAsync(new MmapClusterOptions { Root = _root, Port = 0, Config = config }, door));
        // Three members: with two, keep-majority downs the survivor too when the member with the lowest address dies.
        for (int i = 1; i < 3; i++)
        {
            _nodes.Add(await MmapClusterNode.StartAsync(new MmapClusterOptions
            {
                Root = _root, Port = 0, Config = config, SeedNodes = [_nodes[0].Cluster.SelfAddress.ToString()],
            }, door));
        }
        foreach (var node in _nodes)
        {
            _clients.Add(await MmapRemote.ConnectAsync(node.Door.Address.ToString(), "akka.loglevel = WARNING"));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }
        foreach (var node in _nodes)
        {
            await node.Door.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await node.MemberSystem.Terminate().WaitAsync(TimeSpan.FromSeconds(30));
        }
        Directory.Delete(_root, recursive: true);
    }

    private long EntitiesStarted => _nodes.Sum(n => n.Cluster.Context.EntitiesStarted);

    /// <summary>The node whose member runs the owner of <paramref name="key"/> now.</summary>
    private MmapClusterNode OwnerOf(string key) => _nodes.Single(n => n.Cluster.Context.IsRunning(key));

    [Fact]
    public async Task A_stat_through_a_door_of_a_file_nobody_opened_says_no_owner_and_starts_no_entity()
    {
        await File.WriteAllBytesAsync(Path.Combine(_root, "quiet.bin"), new byte[10]);
        long started = EntitiesStarted;

        var status = await _clients[0].StatAsync("quiet.bin");

        Assert.Equal(10, status.Size);
        Assert.Null(status.Owner);
        Assert.Equal(started, EntitiesStarted);
        Assert.Equal(new NoOwner("quiet.bin"), await _nodes[1].Cluster.Router.Ask<object>(new FindOwner("quiet.bin"), TimeSpan.FromSeconds(10)));
        Assert.Equal(started, EntitiesStarted);
    }

    [Fact]
    public async Task A_stat_through_either_door_names_the_member_whose_owner_has_the_file_open()
    {
        await File.WriteAllBytesAsync(Path.Combine(_root, "busy.bin"), new byte[10]);
        await using var file = await _clients[1].OpenAsync("busy.bin");
        var owner = OwnerOf("busy.bin").Cluster.SelfAddress;

        foreach (var client in _clients)
        {
            Assert.Equal(owner.ToString(), (await client.StatAsync("busy.bin")).Owner);
        }
        Assert.Equal(owner, await _nodes[0].Cluster.OwnerOfAsync("busy.bin"));
    }
}
