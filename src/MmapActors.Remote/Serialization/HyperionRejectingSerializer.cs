using Akka.Actor;

namespace MmapActors.Remote.Serialization;

/// <summary>
/// Takes the place of Hyperion (id -5) on MmapActors nodes. Hyperion deserializes any type a peer names (its
/// <c>allowed-types</c> filter breaks sending in Akka.Serialization.Hyperion 1.5.73), without a depth limit (a deeply
/// nested batch overflowed the stack and killed the server), so no MmapActors message travels as Hyperion any more;
/// a peer that still sends one (an older client) gets a typed error instead of silence.
/// </summary>
public sealed class HyperionRejectingSerializer : RefusingSerializer
{
    /// <summary>Created by Akka.NET's serialization extension.</summary>
    public HyperionRejectingSerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    /// <summary>Created by Akka.NET's serialization extension when the serializer has a configuration section.</summary>
    public HyperionRejectingSerializer(ExtendedActorSystem system, Akka.Configuration.Config config)
        : base(system)
    {
    }

    /// <summary>Hyperion's id.</summary>
    public override int Identifier => -5;

    /// <inheritdoc />
    protected override string Replaced => "Hyperion";
}
