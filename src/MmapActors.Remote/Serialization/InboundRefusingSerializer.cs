using Akka.Actor;
using Akka.Serialization;
using MmapActors.Remote.Server;

namespace MmapActors.Remote.Serialization;

/// <summary>
/// Takes the place of one of Akka.Remote's serializers on a server: sends with it as usual, but reads nothing a peer
/// sends with it (every such message becomes an unreadable request, which no server actor obeys). Untrusted mode in
/// Akka.NET 1.5 still delivers a peer's system messages — Suspend, Recreate, Watch — straight to any actor whose path
/// the peer names; a server serves peers through messages only, so it needs none of them.
/// </summary>
public abstract class InboundRefusingSerializer : Serializer
{
    private readonly Serializer _inner;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    protected InboundRefusingSerializer(ExtendedActorSystem system, Serializer inner)
        : base(system) => _inner = inner;

    /// <summary>What is refused, for the error.</summary>
    protected abstract string What { get; }

    /// <inheritdoc />
    public override int Identifier => _inner.Identifier;

    /// <inheritdoc />
    public override bool IncludeManifest => _inner.IncludeManifest;

    /// <inheritdoc />
    public override byte[] ToBinary(object obj) => _inner.ToBinary(obj);

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, Type type) =>
        FromPeer.Unreadable($"a server does not accept {What} from peers", bytes.Length);
}
