using MmapActors.Owner;

// Python's sequence protocol on a map (indexing, slicing, `in`, bytes(m)) and find/rfind.
namespace MmapActors.Protocol;

public sealed partial record GetItem
{
    internal override MapReply Run(in OperationContext context) => new NumberReply(context.Map[Index]);

    internal override long RangeLength(MemoryMap map) => 1;

    internal override long BytesRead(MapReply reply) => reply is NumberReply ? 1 : 0;

    internal override long BytesWritten(MapReply reply) => 0;
}

public sealed partial record SetItem
{
    internal override MapReply Run(in OperationContext context)
    {
        context.Map[Index] = Value;
        return Done.Instance;
    }

    internal override long RangeLength(MemoryMap map) => 1;

    internal override long BytesRead(MapReply reply) => 0;

    internal override long BytesWritten(MapReply reply) => reply is Done ? 1 : 0;
}

public sealed partial record GetSlice
{
    internal override MapReply Run(in OperationContext context) => new BytesReply(context.Map.GetSlice(Start, Stop, Step));

    internal override long RangeLength(MemoryMap map) => PythonSlice.Adjust(map.Length, Start, Stop, Step, out _, out _);

    internal override long BytesRead(MapReply reply) => BytesOf(reply);

    internal override long BytesWritten(MapReply reply) => 0;

    internal override bool MayBlock(MemoryMap map) => map.Length > BlockingBytes && RangeLength(map) > BlockingBytes;
}

public sealed partial record SetSlice
{
    internal override MapReply Run(in OperationContext context)
    {
        context.Map.SetSlice(Start, Stop, Step, Value);
        return Done.Instance;
    }

    internal override long RangeLength(MemoryMap map) => Value.Length;

    internal override long BytesRead(MapReply reply) => 0;

    internal override long BytesWritten(MapReply reply) => reply is Done ? Value.Length : 0;

    internal override bool MayBlock(MemoryMap map) => Value.Length > BlockingBytes;
}

public sealed partial record DeleteItem
{
    internal override MapReply Run(in OperationContext context)
    {
        context.Map.DeleteItem(Index);
        return Done.Instance;
    }

    internal override long RangeLength(MemoryMap map) => 0;

    internal override long BytesRead(MapReply reply) => 0;

    internal override long BytesWritten(MapReply reply) => 0;
}

public sealed partial record DeleteSlice
{
    internal override MapReply Run(in OperationContext context)
    {
        context.Map.DeleteSlice(Start, Stop, Step);
        return Done.Instance;
    }

    internal override long RangeLength(MemoryMap map) => 0;

    internal override long BytesRead(MapReply reply) => 0;

    internal override long BytesWritten(MapReply reply) => 0;
}

public sealed partial record Contains
{
    internal override MapReply Run(in OperationContext context) => new BooleanReply(context.Map.Contains(Item));

    internal override long RangeLength(MemoryMap map) => Item.Length;

    internal override long BytesRead(MapReply reply) => 0;

    internal override long BytesWritten(MapReply reply) => 0;

    internal override bool MayBlock(MemoryMap map) => map.Length > BlockingBytes;
}

public sealed partial record ToBytes
{
    internal override MapReply Run(in OperationContext context) => new BytesReply(context.Map.ToArray());

    internal override long RangeLength(MemoryMap map) => map.Length;

    internal override long BytesRead(MapReply reply) => BytesOf(reply);

    internal override long BytesWritten(MapReply reply) => 0;

    internal override bool MayBlock(MemoryMap map) => map.Length > BlockingBytes;
}

public sealed partial record Find
{
    /// <summary>How much a long search scans per engine call: the thread returns to managed code between windows, so a
    /// garbage collection never waits long for it (a scan of holes faults in every page and can take seconds).</summary>
    internal const int SearchWindow = 1 << 20;

    internal override MapReply Run(in OperationContext context)
    {
        var m = context.Map;
        if (Sub.Length > 0 && Range(m) is var (start, end) && end - start > BlockingBytes)
        {
            return new NumberReply(Reverse ? WindowedRFind(m, start, end) : WindowedFind(m, start, end));
        }
        return new NumberReply((Start, End, Reverse) switch
        {
            (null, _, false) => m.Find(Sub),
            ({ } s, null, false) => m.Find(Sub, s),
            ({ } s, { } e, false) => m.Find(Sub, s, e),
            (null, _, true) => m.RFind(Sub),
            ({ } s, null, true) => m.RFind(Sub, s),
            ({ } s, { } e, true) => m.RFind(Sub, s, e),
        });
    }

    /// <summary>The needle travels; the scan stays in the map.</summary>
    internal override long RangeLength(MemoryMap map) => Sub.Length;

    internal override long BytesRead(MapReply reply) => 0;

    internal override long BytesWritten(MapReply reply) => 0;

    /// <summary>A scan of more than a few milliseconds: the searched range, bounded by the map.</summary>
    internal override bool MayBlock(MemoryMap map) => Range(map) is var (start, end) && end - start > BlockingBytes;

    /// <summary>The searched range as CPython computes it: start defaults to the cursor, end to the length, negatives count
    /// from the end, and both are clamped to the map.</summary>
    private (long Start, long End) Range(MemoryMap map)
    {
        long length = map.Length;
        return (Clamp(Start ?? map.Position, length), Clamp(End ?? length, length));

        static long Clamp(long index, long length) => index < 0 ? Math.Max(0, index + length) : Math.Min(index, length);
    }

    /// <summary>The first match in [start, end), one window of match starts at a time (windows overlap by the needle's
    /// length less one, so a match across a window's end is found whole in the window where it starts).</summary>
    private long WindowedFind(MemoryMap map, long start, long end)
    {
        long lastStart = end - Sub.Length;
        for (long block = start; block <= lastStart; block += SearchWindow)
        {
            long found = map.Find(Sub, block, Math.Min(end, block + SearchWindow + Sub.Length - 1));
            if (found >= 0)
            {
                return found;
            }
        }
        return -1;
    }

    /// <summary>The last match in [start, end), the windows of <see cref="WindowedFind"/> taken from the end.</summary>
    private long WindowedRFind(MemoryMap map, long start, long end)
    {
        long lastStart = end - Sub.Length;
        if (lastStart < start)
        {
            return -1;
        }
        for (long block = start + (lastStart - start) / SearchWindow * SearchWindow; block >= start; block -= SearchWindow)
        {
            long found = map.RFind(Sub, block, Math.Min(end, block + SearchWindow + Sub.Length - 1));
            if (found >= 0)
            {
                return found;
            }
        }
        return -1;
    }
}
