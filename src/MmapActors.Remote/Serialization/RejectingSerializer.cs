using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;

namespace MmapActors.Remote.Serialization;

/// <summary>
/// Takes the place of Akka.NET's JSON serializer (id 1) on MmapActors nodes. No MmapActors message travels as JSON,
/// and the JSON serializer would instantiate whatever type a peer names, so this one refuses everything. A
/// <see cref="SerializationException"/> makes Akka.Remote drop the message and log it, without closing the
/// connection, so an unexpected message never harms the node.
/// </summary>
public sealed class RejectingSerializer : Serializer
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
    public override bool IncludeManifest => false;

    /// <inheritdoc />
    public override byte[] ToBinary(object obj) =>
        throw new SerializationException($"MmapActors does not send {obj?.GetType().FullName ?? "null"} over the network: it has no serialization binding");

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, Type type) =>
        throw new SerializationException("MmapActors refuses JSON-serialized messages: only its own protocol is accepted");
}
