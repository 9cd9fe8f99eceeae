using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using MmapActors.Remote.Serialization;

namespace MmapActors.Cluster.Serialization;

/// <summary>
/// The wire form of the cluster's own messages (<see cref="IClusterMessage"/>), between members only: fixed one-letter
/// manifests and explicit fields, read with the same bounds-checked reader as the MmapActors protocol.
/// </summary>
public sealed class ClusterProtocolSerializer : SerializerWithStringManifest
{
    private const string GetOwnerManifest = "G", OwnerLocationManifest = "W", FileReplacedManifest = "R", FindOwnerManifest = "F",
        NoOwnerManifest = "N", RunsOwnerManifest = "Q";

    /// <summary>Created by Akka.NET's serialization extension.</summary>
    public ClusterProtocolSerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    /// <inheritdoc />
    public override int Identifier => 4172;

    /// <inheritdoc />
    public override string Manifest(object o) => o switch
    {
        GetOwner => GetOwnerManifest,
        OwnerLocation => OwnerLocationManifest,
        FileReplaced => FileReplacedManifest,
        FindOwner => FindOwnerManifest,
        NoOwner => NoOwnerManifest,
        RunsOwner => RunsOwnerManifest,
        _ => throw new SerializationException($"{o?.GetType().FullName ?? "null"} is not a cluster message"),
    };

    /// <inheritdoc />
    public override byte[] ToBinary(object obj)
    {
        var writer = new ProtocolWriter();
        switch (obj)
        {
            case GetOwner owner:
                writer.String(owner.Path);
                break;
            case OwnerLocation location:
                writer.String(location.Key);
                writer.String(location.Node.ToString());
                break;
            case FileReplaced replaced:
                writer.String(replaced.Key);
                break;
            case FindOwner find:
                writer.String(find.Path);
                break;
            case NoOwner none:
                writer.String(none.Key);
                break;
            case RunsOwner runs:
                writer.String(runs.Key);
                break;
            default:
                throw new SerializationException($"{obj?.GetType().FullName ?? "null"} is not a cluster message");
        }
        return writer.ToArray();
    }

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest)
    {
        try
        {
            var r = new ProtocolReader(bytes);
            object message = manifest switch
            {
                GetOwnerManifest => new GetOwner(r.String()),
                OwnerLocationManifest => new OwnerLocation(r.String(), Address.Parse(r.String())),
                FileReplacedManifest => new FileReplaced(r.String()),
                FindOwnerManifest => new FindOwner(r.String()),
                NoOwnerManifest => new NoOwner(r.String()),
                RunsOwnerManifest => new RunsOwner(r.String()),
                _ => throw new ProtocolViolationException($"unknown cluster message '{manifest}'"),
            };
            r.End();
            return message;
        }
        catch (Exception e) when (e is ProtocolViolationException or UriFormatException or ArgumentException)
        {
            throw new SerializationException($"unreadable cluster message '{manifest}': {e.Message}", e);
        }
    }
}
