using Akka.Actor;
using MmapActors.Actors;
using MmapActors.Cluster.Door;
using MmapActors.Remote;

namespace MmapActors.Cluster;

/// <summary>
/// A whole cluster node, as <c>mmapctl serve --cluster</c> runs it: a member system (trusted, on the member port) and
/// a client door (an <see cref="MmapServer"/>, untrusted clients, on its own port) whose sessions reach the cluster's
/// owners through an in-process bridge. See docs/cluster.md.
/// </summary>
public sealed class MmapClusterNode : IAsyncDisposable
{
    private MmapClusterNode(ActorSystem member, MmapServer door)
    {
        MemberSystem = member;
        Cluster = MmapCluster.Get(member);
        Door = door;
    }

    /// <summary>The member system (name <c>mmap</c>, on the member port).</summary>
    public ActorSystem MemberSystem { get; }

    /// <summary>The cluster extension of <see cref="MemberSystem"/>.</summary>
    public MmapCluster Cluster { get; }

    /// <summary>The client door: clients connect to <see cref="MmapServer.Address"/>.</summary>
    public MmapServer Door { get; }

    /// <summary>Completes when either system has stopped (the node was downed, or stopped).</summary>
    public Task WhenTerminated => Task.WhenAny(MemberSystem.WhenTerminated, Door.WhenTerminated);

    /// <summary>Starts the member system, waits until it is Up, then opens the door over the same root.</summary>
    /// <param name="member">The member system's options (root, member port, seeds).</param>
    /// <param name="door">The door's options; its root is <paramref name="member"/>'s (whatever it says), and its data
    /// plane is off.</param>
    /// <param name="cancellationToken">Cancels the wait for the cluster.</param>
    public static async Task<MmapClusterNode> StartAsync(MmapClusterOptions member, MmapServerOptions door, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(member);
        ArgumentNullException.ThrowIfNull(door);
        var system = MmapCluster.CreateSystem(member);
        try
        {
            var cluster = MmapCluster.Get(system);
            await cluster.WhenUp.WaitAsync(cancellationToken).ConfigureAwait(false);
            var timeout = MmapExtension.Get(system).Settings.AskTimeout;
            var server = await MmapServer.StartAsync(door with { Root = member.Root, HttpPort = 0 },
                doorSystem => doorSystem.ActorOf(ClusterDoorBridge.Props(system, cluster.Router, timeout), "mmap-cluster-bridge"),
                cancellationToken).ConfigureAwait(false);
            return new MmapClusterNode(system, server);
        }
        catch
        {
            await system.Terminate().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Closes the door (its sessions end, their handles are released), then leaves the cluster gracefully: the
    /// node hands its shards off (every owner flushes and closes its maps) before it leaves.</summary>
    public async Task StopAsync()
    {
        await Door.StopAsync().ConfigureAwait(false);
        await CoordinatedShutdown.Get(MemberSystem).Run(CoordinatedShutdown.ClusterLeavingReason.Instance).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
