using Akka.Actor;
using MmapActors.DataPlane;
using MmapActors.Protocol;

namespace MmapActors.Actors;

/// <summary>
/// The MmapActors extension of an ActorSystem: starts the supervisor (once per system, at
/// <c>/user/{mmap.supervisor-name}</c>) and registers a CoordinatedShutdown task that flushes and closes every
/// map before the system terminates.
/// </summary>
public sealed class MmapExtension : IExtension
{
    internal MmapExtension(ExtendedActorSystem system)
    {
        Settings = MmapSettings.Create(system);
        Supervisor = system.ActorOf(MmapSupervisor.Props(Settings, DataPlaneSlot), Settings.SupervisorName);
        var supervisor = Supervisor;
        var timeout = Settings.ShutdownFlushTimeout;
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceStop, "mmap-flush-and-close", async () =>
        {
            await supervisor.Ask<Done>(FlushAndCloseAll.Instance, timeout).ConfigureAwait(false);
            return Akka.Done.Instance;
        });
    }

    /// <summary>The settings read from the system's <c>mmap</c> block.</summary>
    public MmapSettings Settings { get; }

    /// <summary>The supervisor: send it <see cref="OpenMap"/> and <see cref="GetStats"/>.</summary>
    public IActorRef Supervisor { get; }

    /// <summary>The HTTP data plane serving this node's root next to the supervisor, or null (see docs/remote.md).</summary>
    public DataPlaneEndpoint? DataPlane => DataPlaneSlot.Endpoint;

    /// <summary>Where the server that starts a data plane registers it for the supervisor.</summary>
    internal DataPlaneSlot DataPlaneSlot { get; } = new();

    /// <summary>The extension of <paramref name="system"/>, started on first use.</summary>
    public static MmapExtension Get(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return system.WithExtension<MmapExtension, MmapExtensionProvider>();
    }
}

/// <summary>Creates <see cref="MmapExtension"/>; Akka.NET's extension mechanism needs it public.</summary>
public sealed class MmapExtensionProvider : ExtensionIdProvider<MmapExtension>
{
    /// <inheritdoc />
    public override MmapExtension CreateExtension(ExtendedActorSystem system) => new(system);
}
