using Akka.Actor;
using MmapActors.Actors;

namespace MmapActors.Remote.Server;

/// <summary>
/// Serving to remote peers: starts the door (<see cref="ServerGateway"/>) of a node that has a served root, next to its
/// MmapActors supervisor. <see cref="MmapServer"/> and Akka.Hosting's <c>WithMmapServer</c> start it.
/// </summary>
public sealed class MmapServerExtension : IExtension
{
    /// <param name="system">The door's system.</param>
    /// <param name="target">Where sessions send opens and file requests: the node's supervisor (null), or a cluster
    /// member's bridge (MmapActors.Cluster), which reaches the cluster's owners in-process.</param>
    internal MmapServerExtension(ExtendedActorSystem system, IActorRef? target = null)
    {
        system.Settings.InjectTopLevelFallback(RemoteConfig.ServerDefaults);
        var mmap = MmapExtension.Get(system);
        if (mmap.Settings.ServedRoot.Length == 0)
        {
            throw new InvalidOperationException("An MmapActors server needs a served root (mmap.served-root): remote peers reach files only beneath it.");
        }
        Settings = ServerSettings.Create(system.Settings.Config.GetConfig("mmap.server"));
        Gateway = system.ActorOf(ServerGateway.Props(target ?? mmap.Supervisor, Settings, new RootPaths(mmap.Settings.ServedRoot)), Settings.GatewayName);
    }

    /// <summary>The <c>mmap.server</c> settings in force.</summary>
    public ServerSettings Settings { get; }

    /// <summary>The door: the one actor a peer can select.</summary>
    public IActorRef Gateway { get; }

    /// <summary>The extension of <paramref name="system"/>, started on first use.</summary>
    public static MmapServerExtension Get(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return system.WithExtension<MmapServerExtension, MmapServerExtensionProvider>();
    }
}

/// <summary>Creates <see cref="MmapServerExtension"/>; Akka.NET's extension mechanism needs it public.</summary>
public sealed class MmapServerExtensionProvider : ExtensionIdProvider<MmapServerExtension>
{
    private readonly Func<ActorSystem, IActorRef>? _target;

    /// <summary>The provider of a door in front of the node's own supervisor.</summary>
    public MmapServerExtensionProvider()
    {
    }

    /// <summary>The provider of a door whose sessions go to the actor <paramref name="target"/> makes (a cluster bridge).</summary>
    internal MmapServerExtensionProvider(Func<ActorSystem, IActorRef> target) => _target = target;

    /// <inheritdoc />
    public override MmapServerExtension CreateExtension(ExtendedActorSystem system) => new(system, _target?.Invoke(system));
}
