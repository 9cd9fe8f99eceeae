using Akka.Actor;
using Akka.Remote.Serialization;

namespace MmapActors.Remote.Serialization;

/// <summary>Refuses a peer's system messages (Suspend, Recreate, Terminate, Watch...) on a server; see
/// <see cref="InboundRefusingSerializer"/>.</summary>
public sealed class SystemMessageRefusingSerializer(ExtendedActorSystem system)
    : InboundRefusingSerializer(system, new SystemMessageSerializer(system))
{
    /// <summary>Created by Akka.NET's serialization extension when the serializer has a configuration section.</summary>
    public SystemMessageRefusingSerializer(ExtendedActorSystem system, Akka.Configuration.Config config)
        : this(system)
    {
    }

    /// <inheritdoc />
    protected override string What => "system messages";
}
