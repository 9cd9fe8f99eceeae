using System.Buffers.Binary;
using System.Text;

namespace MmapActors.Remote.Serialization;

/// <summary>
/// Reads the wire form of <see cref="MmapProtocolSerializer"/> from bytes a peer sent, trusting none of them: every
/// length and count is checked against what is left before anything is allocated, strings are bounded, and nesting is
/// bounded by the caller. Any violation throws <see cref="ProtocolViolationException"/>.
/// </summary>
internal ref struct ProtocolReader(ReadOnlySpan<byte> bytes)
{
    /// <summary>Longest string accepted (paths, messages, keys).</summary>
    public const int MaxStringBytes = 64 * 1024;

    private readonly ReadOnlySpan<byte> _bytes = bytes;
    private int _position;

    public readonly int Remaining => _bytes.Length - _position;

    public byte Byte() => Take(1)[0];

    public bool Bool() => Byte() switch
    {
        0 => false,
        1 => true,
        var b => throw new ProtocolViolationException($"a boolean must be 0 or 1, not {b}"),
    };

    public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public long? OptionalInt64() => Bool() ? Int64() : null;

    public int? OptionalInt32() => Bool() ? Int32() : null;

    public bool? OptionalBool() => Byte() switch
    {
        0 => false,
        1 => true,
        2 => null,
        var b => throw new ProtocolViolationException($"an optional boolean must be 0, 1 or 2, not {b}"),
    };

    /// <summary>A length-prefixed byte array; the length is checked against the bytes left before allocating.</summary>
    public byte[] Bytes() => Take(Length(Remaining, "byte array")).ToArray();

    /// <summary>Everything left: the last field of a message.</summary>
    public byte[] Rest() => Take(Remaining).ToArray();

    public string String() => Encoding.UTF8.GetString(Take(Length(Math.Min(Remaining, MaxStringBytes), "string")));

    public string? OptionalString() => Bool() ? String() : null;

    /// <summary>A count of items that each take at least <paramref name="minimumItemBytes"/> on the wire: a count the
    /// remaining bytes cannot hold is a lie, refused before a collection of that size is allocated.</summary>
    public int Count(int minimumItemBytes, int maximum, string what)
    {
        int count = Int32();
        if (count < 0 || count > maximum || (long)count * minimumItemBytes > Remaining)
        {
            throw new ProtocolViolationException($"{what}: a count of {count} with {Remaining} bytes left (at most {maximum})");
        }
        return count;
    }

    /// <summary>Fails unless every byte was read: trailing bytes mean a malformed or forged message.</summary>
    public readonly void End()
    {
        if (Remaining != 0)
        {
            throw new ProtocolViolationException($"{Remaining} unexpected trailing bytes");
        }
    }

    private int Length(int limit, string what)
    {
        int length = Int32();
        if (length < 0 || length > limit)
        {
            throw new ProtocolViolationException($"{what} of {length} bytes with {Remaining} bytes left (at most {limit})");
        }
        return length;
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > Remaining)
        {
            throw new ProtocolViolationException($"truncated: {count} bytes needed, {Remaining} left");
        }
        var span = _bytes.Slice(_position, count);
        _position += count;
        return span;
    }
}
