using Akka.Actor;
using Akka.Serialization;
using MmapActors.Remote.Serialization;

namespace MmapActors.Tests.Remote.Adversarial;

/// <summary>An attacker's serializer with the protocol's id: it speaks the protocol (to connect and read replies) and
/// also sends <see cref="RawPayload"/>s, forged bytes under any manifest.</summary>
public sealed class ForgingSerializer : SerializerWithStringManifest
{
    private readonly MmapProtocolSerializer _protocol;

    public ForgingSerializer(ExtendedActorSystem system)
        : base(system) => _protocol = new MmapProtocolSerializer(system);

    public ForgingSerializer(ExtendedActorSystem system, Akka.Configuration.Config config)
        : this(system)
    {
    }

    public override int Identifier => _protocol.Identifier;

    public override string Manifest(object o) => o is RawPayload raw ? raw.Manifest : _protocol.Manifest(o);

    public override byte[] ToBinary(object obj) => obj is RawPayload raw ? raw.Bytes : _protocol.ToBinary(obj);

    public override object FromBinary(byte[] bytes, string manifest) => _protocol.FromBinary(bytes, manifest);
}
