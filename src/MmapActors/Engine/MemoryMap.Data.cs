namespace MmapActors;

public sealed unsafe partial class MemoryMap
{
    private long Remaining => _position < _size ? _size - _position : 0;

    /// <summary>Python's <c>read()</c>: everything from the cursor to the end.</summary>
    public byte[] Read() => Read(-1);

    /// <summary>Python's <c>read(n)</c>: up to <paramref name="count"/> bytes from the cursor (a negative count means
    /// the rest); <c>b''</c> at or past the end. Never fails for a count.</summary>
    /// <exception cref="MmapException">ValueError when closed; OverflowError when the result would exceed the
    /// largest .NET array (read into a span instead).</exception>
    public byte[] Read(long count)
    {
        CheckValid();
        long remaining = Remaining;
        if (count < 0 || count > remaining)
        {
            count = remaining;
        }
        var result = NewArray(count);
        CopyOut(_position, result);
        _position += count;
        return result;
    }

    /// <summary>Reads from the cursor into <paramref name="destination"/> and advances the cursor; the allocation-free
    /// form of <see cref="Read(long)"/>.</summary>
    /// <returns>The number of bytes copied: the smaller of the span's length and what remains.</returns>
    public int Read(Span<byte> destination)
    {
        CheckValid();
        int count = (int)Math.Min(destination.Length, Remaining);
        CopyOut(_position, destination[..count]);
        _position += count;
        return count;
    }

    /// <summary>Python's <c>read_byte()</c>: the byte at the cursor, as an int, advancing the cursor.</summary>
    /// <exception cref="MmapException">ValueError "read byte out of range" at or past the end.</exception>
    public int ReadByte()
    {
        CheckValid();
        if (_position >= _size)
        {
            throw new MmapException(MmapErrorKind.ValueError, "read byte out of range");
        }
        byte value = 0;
        CopyOut(_position, new Span<byte>(ref value));
        _position++;
        return value;
    }

    /// <summary>Python's <c>readline()</c>: from the cursor up to and including the next <c>\n</c>, or to the end.</summary>
    public byte[] ReadLine()
    {
        CheckValid();
        long remaining = Remaining;
        if (remaining == 0)
        {
            return [];
        }
        long newline = SearchWindows(_position, _size, "\n"u8, reverse: false);
        long end = newline < 0 ? _size : newline + 1;
        var line = NewArray(end - _position);
        CopyOut(_position, line);
        _position = end;
        return line;
    }

    /// <summary>Python's <c>write(bytes)</c>: all of <paramref name="data"/> at the cursor, or nothing.</summary>
    /// <returns>The number of bytes written (CPython 3.6+).</returns>
    /// <exception cref="MmapException">TypeError on a read-only map; ValueError "data out of range" when the data does
    /// not fit (also for empty data when the cursor is past the end); nothing is written then.</exception>
    public int Write(ReadOnlySpan<byte> data)
    {
        CheckValid();
        CheckWritable();
        if (_position > _size || _size - _position < data.Length)
        {
            throw new MmapException(MmapErrorKind.ValueError, "data out of range");
        }
        CopyIn(_position, data);
        _position += data.Length;
        return data.Length;
    }

    /// <summary>Python's <c>write_byte(byte)</c>: one byte at the cursor, advancing it.</summary>
    /// <param name="value">0..255; an int, as in Python, so that out-of-range values raise Python's OverflowError.</param>
    /// <exception cref="MmapException">OverflowError for a value outside 0..255 (checked before the read-only
    /// check, as in CPython); TypeError on a read-only map; ValueError "write byte out of range" at the end.</exception>
    public void WriteByte(int value)
    {
        CheckValid();
        if (value > byte.MaxValue)
        {
            throw new MmapException(MmapErrorKind.OverflowError, "unsigned byte integer is greater than maximum");
        }
        if (value < 0)
        {
            throw new MmapException(MmapErrorKind.OverflowError, "unsigned byte integer is less than minimum");
        }
        CheckWritable();
        if (_position >= _size)
        {
            throw new MmapException(MmapErrorKind.ValueError, "write byte out of range");
        }
        byte b = (byte)value;
        CopyIn(_position, new ReadOnlySpan<byte>(ref b));
        _position++;
    }

    /// <summary>
    /// Copies up to <paramref name="destination"/>.Length bytes starting at <paramref name="position"/>, without
    /// using or moving the cursor (a positional read, like pread(2)).
    /// </summary>
    /// <returns>The number of bytes copied, fewer than requested only at the end of the map.</returns>
    /// <exception cref="MmapException">ValueError "read position out of range" when the position is negative or past the end.</exception>
    public int ReadAt(long position, Span<byte> destination)
    {
        CheckValid();
        if (position < 0 || position > _size)
        {
            throw new MmapException(MmapErrorKind.ValueError, "read position out of range");
        }
        int count = (int)Math.Min(destination.Length, _size - position);
        CopyOut(position, destination[..count]);
        return count;
    }

    /// <summary>Writes all of <paramref name="data"/> at <paramref name="position"/> without using or moving the
    /// cursor (a positional write, like pwrite(2)); all or nothing, like <see cref="Write"/>.</summary>
    /// <exception cref="MmapException">TypeError on a read-only map; ValueError "data out of range".</exception>
    public void WriteAt(long position, ReadOnlySpan<byte> data)
    {
        CheckValid();
        CheckWritable();
        if (position < 0 || position > _size || _size - position < data.Length)
        {
            throw new MmapException(MmapErrorKind.ValueError, "data out of range");
        }
        CopyIn(position, data);
    }

    /// <summary>Python's <c>find(sub)</c>: searches from the cursor (not from 0) to the end.</summary>
    public long Find(ReadOnlySpan<byte> sub)
    {
        CheckValid();
        return Search(sub, _position, _size, reverse: false);
    }

    /// <summary>Python's <c>find(sub, start)</c>; <paramref name="start"/> follows slice rules (negative counts from the end).</summary>
    public long Find(ReadOnlySpan<byte> sub, long start)
    {
        CheckValid();
        return Search(sub, start, _size, reverse: false);
    }

    /// <summary>Python's <c>find(sub, start, end)</c>: the lowest index in [start, end) where <paramref name="sub"/>
    /// lies wholly, or -1.</summary>
    public long Find(ReadOnlySpan<byte> sub, long start, long end)
    {
        CheckValid();
        return Search(sub, start, end, reverse: false);
    }

    /// <summary>Python's <c>rfind(sub)</c>: like CPython, the search starts at the cursor, not at 0.</summary>
    public long RFind(ReadOnlySpan<byte> sub)
    {
        CheckValid();
        return Search(sub, _position, _size, reverse: true);
    }

    /// <summary>Python's <c>rfind(sub, start)</c>.</summary>
    public long RFind(ReadOnlySpan<byte> sub, long start)
    {
        CheckValid();
        return Search(sub, start, _size, reverse: true);
    }

    /// <summary>Python's <c>rfind(sub, start, end)</c>: the highest index in [start, end) where <paramref name="sub"/>
    /// lies wholly, or -1.</summary>
    public long RFind(ReadOnlySpan<byte> sub, long start, long end)
    {
        CheckValid();
        return Search(sub, start, end, reverse: true);
    }

    /// <summary>Python's <c>move(dest, src, count)</c>: memmove inside the map (overlap allowed); the cursor is not moved.</summary>
    /// <exception cref="MmapException">TypeError on a read-only map; ValueError "source, destination, or count out of range".</exception>
    public void Move(long destination, long source, long count)
    {
        CheckValid();
        CheckWritable();
        if (destination < 0 || source < 0 || count < 0 || _size - destination < count || _size - source < count)
        {
            throw new MmapException(MmapErrorKind.ValueError, "source, destination, or count out of range");
        }
        if (count == 0)
        {
            return;
        }
        MoveWithin(destination, source, count);
    }

    /// <summary>Python's <c>bytes(m)</c> (and <c>m[:]</c>): a copy of the whole map.</summary>
    public byte[] ToArray()
    {
        CheckValid();
        var copy = NewArray(_size);
        CopyOut(0, copy);
        return copy;
    }

    private long Search(ReadOnlySpan<byte> sub, long start, long end, bool reverse)
    {
        start = ClampToMap(start);
        end = ClampToMap(end);
        if (end < start || end - start < sub.Length)
        {
            return -1;
        }
        return SearchWindows(start, end, sub, reverse);
    }

    /// <summary>CPython's search bounds: negative counts from the end, then clamped to [0, length].</summary>
    private long ClampToMap(long index) => index < 0 ? Math.Max(0, index + _size) : Math.Min(index, _size);

    private static byte[] NewArray(long length)
    {
        if (length > Array.MaxLength)
        {
            throw new MmapException(MmapErrorKind.OverflowError,
                $"cannot copy {length} bytes into one array (the .NET limit is {Array.MaxLength}); read into a span in chunks");
        }
        return length == 0 ? [] : GC.AllocateUninitializedArray<byte>((int)length);
    }
}
