using Akka.Actor;

namespace MmapActors.Remote.Serialization;

/// <summary>Takes the place of Akka.NET's JSON serializer (id 1), which would instantiate any type a peer names.</summary>
public sealed class RejectingSerializer : RefusingSerializer
{
    /// <summary>Created by Akka.NET's serialization extension.</summary>
    public RejectingSerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    /// <summary>Created by Akka.NET's serialization extension when the serializer has a configuration section.</summary>
    public RejectingSerializer(ExtendedActorSystem system, Akka.Configuration.Config config)
        : base(system)
    {
    }

    /// <summary>The id of the JSON serializer it replaces.</summary>
    public override int Identifier => 1;

    /// <inheritdoc />
    protected override string Replaced => "JSON";
}
