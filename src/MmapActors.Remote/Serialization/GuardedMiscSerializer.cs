using Akka.Actor;
using Akka.Remote.Serialization;
using Akka.Serialization;
using MmapActors.Remote.Server;

namespace MmapActors.Remote.Serialization;

/// <summary>
/// Takes the place of Akka.Remote's serializer of miscellaneous messages (id 16) on a server. Untrusted mode drops a
/// peer's <c>PoisonPill</c> but, in Akka.NET 1.5, not its <c>Kill</c> (which is not marked possibly harmful), and this
/// serializer also reads deployment settings and exceptions of any named type. A server needs only the few messages
/// that finding its door and watching connections take: Identify, ActorIdentity, actor references and the remote
/// watcher's heartbeats. Every other manifest is refused before it is read, as an unreadable request.
/// </summary>
public sealed class GuardedMiscSerializer : SerializerWithStringManifest
{
    private readonly MiscMessageSerializer _inner;
    private readonly HashSet<string> _allowed;

    /// <summary>Created by Akka.NET's serialization extension.</summary>
    public GuardedMiscSerializer(ExtendedActorSystem system)
        : base(system)
    {
        _inner = new MiscMessageSerializer(system);
        _allowed = new HashSet<string>(StringComparer.Ordinal)
        {
            _inner.Manifest(new Identify(null)),
            _inner.Manifest(new ActorIdentity(null, null)),
            _inner.Manifest(system.DeadLetters),
        };
        foreach (var heartbeat in RemoteWatcherHeartbeats())
        {
            _allowed.Add(_inner.Manifest(heartbeat));
        }
    }

    /// <summary>Created by Akka.NET's serialization extension when the serializer has a configuration section.</summary>
    public GuardedMiscSerializer(ExtendedActorSystem system, Akka.Configuration.Config config)
        : this(system)
    {
    }

    /// <summary>The id of the serializer it guards.</summary>
    public override int Identifier => 16;

    /// <inheritdoc />
    public override string Manifest(object o) => _inner.Manifest(o);

    /// <inheritdoc />
    public override byte[] ToBinary(object obj) => _inner.ToBinary(obj);

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest) =>
        _allowed.Contains(manifest)
            ? _inner.FromBinary(bytes, manifest)
            : FromPeer.Unreadable($"a server does not accept Akka's '{manifest}' messages from peers (Kill, PoisonPill, deployment, failures)", bytes.Length);

    /// <summary>The remote watcher's heartbeat and its answer (internal types of Akka.Remote, found by name).</summary>
    private static IEnumerable<object> RemoteWatcherHeartbeats()
    {
        var assembly = typeof(MiscMessageSerializer).Assembly;
        if (assembly.GetType("Akka.Remote.RemoteWatcher+Heartbeat")?.GetProperty("Instance")?.GetValue(null) is { } heartbeat)
        {
            yield return heartbeat;
        }
        if (assembly.GetType("Akka.Remote.RemoteWatcher+HeartbeatRsp") is { } response &&
            response.GetConstructor([typeof(int)]) is { } constructor)
        {
            yield return constructor.Invoke([0]);
        }
    }
}
