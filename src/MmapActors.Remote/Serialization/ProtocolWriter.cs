using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Akka.Actor;

namespace MmapActors.Remote.Serialization;

/// <summary>Writes the wire form of <see cref="MmapProtocolSerializer"/>: little-endian integers, length-prefixed
/// byte arrays and UTF-8 strings, presence bytes for optional values. The mirror of <see cref="ProtocolReader"/>.</summary>
internal sealed class ProtocolWriter
{
    private readonly ArrayBufferWriter<byte> _buffer;

    public ProtocolWriter(int capacity = 64) => _buffer = new ArrayBufferWriter<byte>(capacity);

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    public void Byte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }

    public void Bool(bool value) => Byte(value ? (byte)1 : (byte)0);

    public void Int32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    public void Int64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    public void OptionalInt64(long? value)
    {
        Bool(value.HasValue);
        if (value is { } v)
        {
            Int64(v);
        }
    }

    public void OptionalInt32(int? value)
    {
        Bool(value.HasValue);
        if (value is { } v)
        {
            Int32(v);
        }
    }

    public void OptionalBool(bool? value) => Byte(value switch { null => 2, true => 1, false => 0 });

    public void Bytes(ReadOnlySpan<byte> value)
    {
        Int32(value.Length);
        Raw(value);
    }

    private void Raw(ReadOnlySpan<byte> value)
    {
        value.CopyTo(_buffer.GetSpan(value.Length));
        _buffer.Advance(value.Length);
    }

    public void String(string value)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        Int32(length);
        Encoding.UTF8.GetBytes(value, _buffer.GetSpan(length));
        _buffer.Advance(length);
    }

    public void OptionalString(string? value)
    {
        Bool(value is not null);
        if (value is not null)
        {
            String(value);
        }
    }

    public void ActorRef(IActorRef actor) => String(Akka.Serialization.Serialization.SerializedActorPath(actor));
}
