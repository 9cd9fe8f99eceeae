using Akka.Configuration;
using MmapActors.Cluster;
using MmapActors.Remote;

namespace MmapActors.Benchmarks.Setup;

/// <summary>
/// The cluster figures' setup: two cluster nodes in this process (member systems on 127.0.0.1 with ephemeral member
/// ports, each with its client door) over the bench file's directory. <c>cluster.read4k.c16</c>: 16 handles on the
/// bench file opened through the router of the member that does <em>not</em> own it, so every operation crosses loopback
/// TCP from a worker's node to the owner's. <c>cluster.door.read4k.c16</c>: 16 handles of a remote client connected to
/// that member's door, so every operation also crosses the door's session and its bridge into the member system.
/// <c>cluster.bridge.read4k.c16</c>: 16 handles of an in-process client of the owning node's door bridge (no network,
/// no session, the owner in the member system beside it): what the bridge alone costs per request.
/// </summary>
internal sealed class ClusterEnvironment : IAsyncDisposable
{
    private readonly MmapClusterNode[] _nodes;
    private readonly MmapClient _client;
    private readonly MmapClient _doorClient;
    private readonly MmapClient _bridgeClient;

    private ClusterEnvironment(MmapClusterNode[] nodes, MmapClient client, IMappedFile[] handles, MmapClient doorClient, IMappedFile[] doorHandles,
        MmapClient bridgeClient, IMappedFile[] bridgeHandles)
    {
        _nodes = nodes;
        _client = client;
        _doorClient = doorClient;
        _bridgeClient = bridgeClient;
        Handles = handles;
        DoorHandles = doorHandles;
        BridgeHandles = bridgeHandles;
    }

    /// <summary>16 handles of an in-process client of the owning node's door bridge.</summary>
    public IReadOnlyList<IMappedFile> BridgeHandles { get; }

    /// <summary>16 handles opened on the member that does not own the bench file.</summary>
    public IReadOnlyList<IMappedFile> Handles { get; }

    /// <summary>16 handles of a remote client of that member's door.</summary>
    public IReadOnlyList<IMappedFile> DoorHandles { get; }

    /// <summary>Starts two nodes over <paramref name="file"/>'s directory and opens the handles away from the owner.</summary>
    public static async Task<ClusterEnvironment> CreateAsync(BenchFile file)
    {
        string root = Path.GetDirectoryName(file.Path)!;
        var config = ConfigurationFactory.ParseString("akka.loglevel = WARNING");
        var door = new MmapServerOptions(root, Port: 0, Config: "akka.loglevel = WARNING");
        var first = await MmapClusterNode.StartAsync(new MmapClusterOptions { Root = root, Port = 0, Config = config }, door).ConfigureAwait(false);
        var second = await MmapClusterNode.StartAsync(new MmapClusterOptions
        {
            Root = root, Port = 0, Config = config, SeedNodes = [first.Cluster.SelfAddress.ToString()],
        }, door).ConfigureAwait(false);
        string name = Path.GetFileName(file.Path);
        var owner = await first.Cluster.OwnerOfAsync(name).ConfigureAwait(false);
        var away = first.Cluster.SelfAddress == owner ? second : first;
        var client = MmapClient.Create(away.MemberSystem, away.Cluster.Router);
        var handles = new IMappedFile[BenchEnvironment.HandleCount];
        for (int i = 0; i < handles.Length; i++)
        {
            handles[i] = await client.OpenAsync(name, access: MmapAccess.Read).ConfigureAwait(false);
        }
        var doorClient = await MmapRemote.ConnectAsync(away.Door.Address.ToString(), "akka.loglevel = WARNING").ConfigureAwait(false);
        var doorHandles = new IMappedFile[BenchEnvironment.HandleCount];
        for (int i = 0; i < doorHandles.Length; i++)
        {
            doorHandles[i] = await doorClient.OpenAsync(name, access: MmapAccess.Read).ConfigureAwait(false);
        }
        var home = first.Cluster.SelfAddress == owner ? first : second;
        var bridge = await home.Door.System.ActorSelection("/user/mmap-cluster-bridge").ResolveOne(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        var bridgeClient = MmapClient.Create(home.Door.System, bridge);
        var bridgeHandles = new IMappedFile[BenchEnvironment.HandleCount];
        for (int i = 0; i < bridgeHandles.Length; i++)
        {
            bridgeHandles[i] = await bridgeClient.OpenAsync(name, access: MmapAccess.Read).ConfigureAwait(false);
        }
        return new ClusterEnvironment([first, second], client, handles, doorClient, doorHandles, bridgeClient, bridgeHandles);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var handle in Handles.Concat(DoorHandles).Concat(BridgeHandles))
        {
            await handle.DisposeAsync().ConfigureAwait(false);
        }
        await _client.DisposeAsync().ConfigureAwait(false);
        await _doorClient.DisposeAsync().ConfigureAwait(false);
        await _bridgeClient.DisposeAsync().ConfigureAwait(false);
        await Task.WhenAll(_nodes.Select(n => n.StopAsync())).ConfigureAwait(false);
    }
}
