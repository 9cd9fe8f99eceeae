using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using MmapActors.Remote.Server;

namespace MmapActors.Remote.Serialization;

/// <summary>
/// Takes the place of a general-purpose serializer that would instantiate whatever type a peer names (Akka.NET's JSON
/// serializer, Hyperion). It sends nothing, and reads every inbound message as an unreadable request: the server's
/// door and sessions answer it with a typed error (so a client built against another serializer learns at once what
/// is wrong), and every other actor leaves it unhandled. The connection stays up.
/// </summary>
public abstract class RefusingSerializer : Serializer
{
    /// <summary>Created by Akka.NET's serialization extension.</summary>
    protected RefusingSerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    /// <summary>The name of the serializer replaced, for messages.</summary>
    protected abstract string Replaced { get; }

    /// <inheritdoc />
    public override bool IncludeManifest => false;

    /// <inheritdoc />
    public override byte[] ToBinary(object obj) =>
        throw new SerializationException($"MmapActors does not send {obj?.GetType().FullName ?? "null"} over the network: it has no serialization binding");

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, Type type) =>
        FromPeer.Unreadable($"{Replaced}-serialized messages are refused: MmapActors speaks only its own protocol (MmapProtocolSerializer); " +
                            "connect with MmapRemote.ConnectAsync, or bind MmapActors.Protocol.IMmapMessage as config/client.hocon does", bytes.Length);
}
