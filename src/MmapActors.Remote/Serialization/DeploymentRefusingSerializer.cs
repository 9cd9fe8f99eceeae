using Akka.Actor;
using Akka.Remote.Serialization;

namespace MmapActors.Remote.Serialization;

/// <summary>Refuses remote deployment requests (which name actor types to create) on a server before they are read;
/// untrusted mode would drop them only after reading; see <see cref="InboundRefusingSerializer"/>.</summary>
public sealed class DeploymentRefusingSerializer(ExtendedActorSystem system)
    : InboundRefusingSerializer(system, new DaemonMsgCreateSerializer(system))
{
    /// <summary>Created by Akka.NET's serialization extension when the serializer has a configuration section.</summary>
    public DeploymentRefusingSerializer(ExtendedActorSystem system, Akka.Configuration.Config config)
        : this(system)
    {
    }

    /// <inheritdoc />
    protected override string What => "remote deployment";
}
