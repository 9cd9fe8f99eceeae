using System.Buffers.Binary;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using MmapActors.Protocol;

namespace MmapActors.Remote.Serialization;

/// <summary>
/// A hand-written serializer for the messages of the data path: <see cref="MapRequest"/> (with <see cref="ReadAt"/>
/// and <see cref="WriteAt"/> encoded compactly; any other operation delegated to Hyperion), <see cref="BytesReply"/>
/// (the payload <em>is</em> the serialized form: no copy on either side), <see cref="NumberReply"/> and
/// <see cref="Done"/>. Manifests are fixed strings, never type names, so nothing here loads a type a peer names.
/// </summary>
public sealed class BulkDataSerializer : SerializerWithStringManifest
{
    private const string RequestManifest = "R";
    private const string BytesManifest = "B";
    private const string NumberManifest = "N";
    private const string DoneManifest = "D";
    private const byte OtherOperation = 0, ReadAtOperation = 1, WriteAtOperation = 2;

    private Serializer? _fallback;

    /// <summary>Created by Akka.NET's serialization extension.</summary>
    public BulkDataSerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    /// <summary>Created by Akka.NET's serialization extension when the serializer has a configuration section.</summary>
    public BulkDataSerializer(ExtendedActorSystem system, Akka.Configuration.Config config)
        : base(system)
    {
    }

    /// <inheritdoc />
    public override int Identifier => 4171;

    /// <summary>The serializer of every other operation: whatever <see cref="IMmapMessage"/> is bound to (Hyperion).</summary>
    private Serializer Fallback => _fallback ??= system.Serialization.FindSerializerForType(typeof(Batch));

    /// <inheritdoc />
    public override string Manifest(object o) => o switch
    {
        MapRequest => RequestManifest,
        BytesReply => BytesManifest,
        NumberReply => NumberManifest,
        Done => DoneManifest,
        _ => throw new SerializationException($"{nameof(BulkDataSerializer)} does not serialize {o.GetType().FullName}"),
    };

    /// <inheritdoc />
    public override byte[] ToBinary(object obj)
    {
        switch (obj)
        {
            case BytesReply bytes:
                return bytes.Data;
            case NumberReply number:
            {
                var buffer = new byte[8];
                BinaryPrimitives.WriteInt64LittleEndian(buffer, number.Value);
                return buffer;
            }
            case Done:
                return [];
            case MapRequest { Operation: ReadAt read } request:
            {
                var buffer = new byte[1 + 8 + 8 + 4];
                buffer[0] = ReadAtOperation;
                BinaryPrimitives.WriteInt64LittleEndian(buffer.AsSpan(1), request.HandleId);
                BinaryPrimitives.WriteInt64LittleEndian(buffer.AsSpan(9), read.Offset);
                BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(17), read.Count);
                return buffer;
            }
            case MapRequest { Operation: WriteAt write } request:
            {
                var buffer = new byte[1 + 8 + 8 + write.Data.Length];
                buffer[0] = WriteAtOperation;
                BinaryPrimitives.WriteInt64LittleEndian(buffer.AsSpan(1), request.HandleId);
                BinaryPrimitives.WriteInt64LittleEndian(buffer.AsSpan(9), write.Offset);
                write.Data.CopyTo(buffer, 17);
                return buffer;
            }
            case MapRequest request:
            {
                byte[] operation = Fallback.ToBinary(request.Operation);
                var buffer = new byte[1 + 8 + operation.Length];
                buffer[0] = OtherOperation;
                BinaryPrimitives.WriteInt64LittleEndian(buffer.AsSpan(1), request.HandleId);
                operation.CopyTo(buffer, 9);
                return buffer;
            }
            default:
                throw new SerializationException($"{nameof(BulkDataSerializer)} does not serialize {obj?.GetType().FullName ?? "null"}");
        }
    }

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest)
    {
        switch (manifest)
        {
            case BytesManifest:
                return new BytesReply(bytes);
            case NumberManifest when bytes.Length == 8:
                return new NumberReply(BinaryPrimitives.ReadInt64LittleEndian(bytes));
            case DoneManifest:
                return Done.Instance;
            case RequestManifest when bytes.Length >= 9:
            {
                long handle = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(1));
                return bytes[0] switch
                {
                    ReadAtOperation when bytes.Length == 21 => new MapRequest(handle,
                        new ReadAt(BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(9)), BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(17)))),
                    WriteAtOperation when bytes.Length >= 17 => new MapRequest(handle,
                        new WriteAt(BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(9)), bytes.AsSpan(17).ToArray())),
                    OtherOperation => new MapRequest(handle,
                        Fallback.FromBinary(bytes.AsSpan(9).ToArray(), typeof(MapOperation)) as MapOperation
                        ?? throw new SerializationException("MapRequest carries something that is not an operation")),
                    _ => throw new SerializationException($"malformed MapRequest (operation tag {bytes[0]}, {bytes.Length} bytes)"),
                };
            }
            default:
                throw new SerializationException($"{nameof(BulkDataSerializer)}: malformed message (manifest '{manifest}', {bytes.Length} bytes)");
        }
    }
}
