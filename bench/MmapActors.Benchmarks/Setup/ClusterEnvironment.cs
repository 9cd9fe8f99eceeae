using Akka.Actor;
using Akka.Configuration;
using MmapActors.Cluster;

namespace MmapActors.Benchmarks.Setup;

/// <summary>
/// The cluster figure's setup: two member systems in this process (on 127.0.0.1, ephemeral member ports) over the bench
/// file's directory, and 16 handles on the bench file opened through the router of the member that does <em>not</em> own
/// it, so every operation crosses loopback TCP from a worker's node to the owner's (<c>cluster.read4k.c16</c>).
/// </summary>
internal sealed class ClusterEnvironment : IAsyncDisposable
{
    private readonly ActorSystem[] _members;
    private readonly MmapClient _client;

    private ClusterEnvironment(ActorSystem[] members, MmapClient client, IMappedFile[] handles)
    {
        _members = members;
        _client = client;
        Handles = handles;
    }

    /// <summary>16 handles opened on the member that does not own the bench file.</summary>
    public IReadOnlyList<IMappedFile> Handles { get; }

    /// <summary>Starts two members over <paramref name="file"/>'s directory and opens the handles away from the owner.</summary>
    public static async Task<ClusterEnvironment> CreateAsync(BenchFile file)
    {
        string root = Path.GetDirectoryName(file.Path)!;
        var config = ConfigurationFactory.ParseString("akka.loglevel = WARNING");
        var first = MmapCluster.CreateSystem(new MmapClusterOptions { Root = root, Port = 0, Config = config });
        await MmapCluster.Get(first).WhenUp.ConfigureAwait(false);
        var second = MmapCluster.CreateSystem(new MmapClusterOptions
        {
            Root = root, Port = 0, Config = config, SeedNodes = [MmapCluster.Get(first).SelfAddress.ToString()],
        });
        await MmapCluster.Get(second).WhenUp.ConfigureAwait(false);
        string name = Path.GetFileName(file.Path);
        var owner = await MmapCluster.Get(first).OwnerOfAsync(name).ConfigureAwait(false);
        var away = MmapCluster.Get(first).SelfAddress == owner ? second : first;
        var client = MmapClient.Create(away, MmapCluster.Get(away).Router);
        var handles = new IMappedFile[BenchEnvironment.HandleCount];
        for (int i = 0; i < handles.Length; i++)
        {
            handles[i] = await client.OpenAsync(name, access: MmapAccess.Read).ConfigureAwait(false);
        }
        return new ClusterEnvironment([first, second], client, handles);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var handle in Handles)
        {
            await handle.DisposeAsync().ConfigureAwait(false);
        }
        await _client.DisposeAsync().ConfigureAwait(false);
        await Task.WhenAll(_members.Select(m => m.Terminate())).ConfigureAwait(false);
    }
}
