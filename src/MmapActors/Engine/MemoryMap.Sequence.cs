namespace MmapActors;

public sealed unsafe partial class MemoryMap
{
    /// <summary>
    /// Python's <c>m[i]</c> and <c>m[i] = v</c>: the byte at <paramref name="index"/> as an int; a negative index
    /// counts from the end.
    /// </summary>
    /// <exception cref="MmapException">Get: ValueError when closed, IndexError "mmap index out of range". Set:
    /// TypeError on a read-only map, IndexError, then ValueError "mmap item value must be in range(0, 256)".</exception>
    public int this[long index]
    {
        get
        {
            CheckValid();
            long i = ResolveIndex(index);
            byte value = 0;
            CopyOut(i, new Span<byte>(ref value));
            return value;
        }
        set
        {
            CheckValid();
            CheckWritable();
            long i = ResolveIndex(index);
            if (value is < 0 or > byte.MaxValue)
            {
                throw new MmapException(MmapErrorKind.ValueError, "mmap item value must be in range(0, 256)");
            }
            byte b = (byte)value;
            CopyIn(i, new ReadOnlySpan<byte>(ref b));
        }
    }

    /// <summary>Python's <c>m[start:stop:step]</c>: a copy of the selected bytes. <see langword="null"/> stands for
    /// an omitted bound; out-of-range bounds are clamped and negative steps walk backwards.</summary>
    /// <exception cref="MmapException">ValueError when closed or "slice step cannot be zero".</exception>
    public byte[] GetSlice(long? start, long? stop, long? step = null)
    {
        CheckValid();
        long count = PythonSlice.Adjust(_size, start, stop, step, out long first, out long stride);
        var result = NewArray(count);
        if (count == 0)
        {
            return result;
        }
        if (stride == 1)
        {
            CopyOut(first, result);
            return result;
        }
        Gather(first, stride, count, result);
        return result;
    }

    /// <summary>Python's <c>m[start:stop:step] = value</c>: <paramref name="value"/> must have exactly as many bytes as
    /// the slice selects; nothing is written otherwise.</summary>
    /// <exception cref="MmapException">TypeError on a read-only map; ValueError "slice step cannot be zero";
    /// IndexError "mmap slice assignment is wrong size".</exception>
    public void SetSlice(long? start, long? stop, long? step, ReadOnlySpan<byte> value)
    {
        CheckValid();
        CheckWritable();
        long count = PythonSlice.Adjust(_size, start, stop, step, out long first, out long stride);
        if (value.Length != count)
        {
            throw new MmapException(MmapErrorKind.IndexError, "mmap slice assignment is wrong size");
        }
        if (count == 0)
        {
            return;
        }
        if (stride == 1)
        {
            CopyIn(first, value);
            return;
        }
        Scatter(first, stride, value);
    }

    /// <summary>Python's <c>del m[i]</c>, which CPython never allows; present so the error matches.</summary>
    /// <exception cref="MmapException">Always: ValueError when closed, TypeError on a read-only map, IndexError when
    /// out of range, otherwise TypeError "mmap doesn't support item deletion".</exception>
    public void DeleteItem(long index)
    {
        CheckValid();
        CheckWritable();
        ResolveIndex(index);
        throw new MmapException(MmapErrorKind.TypeError, "mmap doesn't support item deletion");
    }

    /// <summary>Python's <c>del m[start:stop:step]</c>, which CPython never allows; present so the error matches.</summary>
    /// <exception cref="MmapException">Always, with CPython's class and message for the situation.</exception>
    public void DeleteSlice(long? start, long? stop, long? step = null)
    {
        CheckValid();
        CheckWritable();
        PythonSlice.Adjust(_size, start, stop, step, out _, out _);
        throw new MmapException(MmapErrorKind.TypeError, "mmap object doesn't support slice deletion");
    }

    /// <summary>
    /// Python's <c>item in m</c>. Python iterates a map as 1-byte <c>bytes</c> objects, so only a 1-byte
    /// <paramref name="item"/> can ever be found: this is a membership test, not a substring search (use
    /// <see cref="Find(ReadOnlySpan{byte}, long)"/> for that).
    /// </summary>
    /// <exception cref="MmapException">ValueError when closed.</exception>
    public bool Contains(ReadOnlySpan<byte> item)
    {
        CheckValid();
        if (item.Length != 1 || _size == 0)
        {
            return false;
        }
        return SearchWindows(0, _size, item, reverse: false) >= 0;
    }

    private long ResolveIndex(long index)
    {
        long i = index < 0 ? index + _size : index;
        if (i < 0 || i >= _size)
        {
            throw new MmapException(MmapErrorKind.IndexError, "mmap index out of range");
        }
        return i;
    }
}
