using System.Globalization;
using Akka.Actor;

namespace MmapActors.Cluster.Door;

/// <summary>
/// The one registration behind every <see cref="BridgeRelay"/> of a bridge: a temporary path of the member system
/// (<c>/temp/…</c>, registered once when the bridge starts, removed when it stops) whose children are the relays, made
/// from their names on demand. An answer that arrives over the network for <c>/temp/…/r42</c> resolves here to the relay
/// of request 42, with no per-request registration (an Ask registers and removes a temporary actor for each).
/// </summary>
internal sealed class RelayContainer : MinimalActorRef
{
    private RelayContainer(IActorRef bridge, ActorPath path, IActorRefProvider provider)
    {
        Bridge = bridge;
        Path = path;
        Provider = provider;
    }

    /// <summary>Where answers go (the bridge, in the door's system).</summary>
    public IActorRef Bridge { get; }

    public override ActorPath Path { get; }

    public override IActorRefProvider Provider { get; }

    /// <summary>Registers a container for <paramref name="bridge"/> in <paramref name="member"/>'s temporary paths.</summary>
    public static RelayContainer Register(ActorSystem member, IActorRef bridge)
    {
        ArgumentNullException.ThrowIfNull(member);
        ArgumentNullException.ThrowIfNull(bridge);
        var provider = ((ExtendedActorSystem)member).Provider;
        var container = new RelayContainer(bridge, provider.TempPath(), provider);
        provider.RegisterTempActor(container, container.Path);
        return container;
    }

    /// <summary>Removes the registration: answers still on their way go to dead letters.</summary>
    public void Unregister() => Provider.UnregisterTempActor(Path);

    /// <summary>The relay of request <paramref name="correlation"/>.</summary>
    public BridgeRelay Relay(long correlation) => new(this, correlation);

    /// <summary>A relay's path element.</summary>
    public static string NameOf(long correlation) => "r" + correlation.ToString(CultureInfo.InvariantCulture);

    public override IActorRef GetChild(IReadOnlyList<string> name)
    {
        // Only "r" + a number names a relay; anything else (a member may send anything, but members are trusted) is nobody.
        if (name.Count == 1 && name[0].Length > 1 && name[0][0] == 'r' &&
            long.TryParse(name[0].AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out long correlation))
        {
            return Relay(correlation);
        }
        return base.GetChild(name);
    }
}
