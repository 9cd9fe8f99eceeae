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
    internal override MapReply Run(in OperationContext context)
    {
        var m = context.Map;
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
    internal override bool MayBlock(MemoryMap map)
    {
        long length = map.Length;
        long start = Math.Clamp(Start ?? map.Position, 0, length);
        long end = Math.Clamp(End ?? length, 0, length);
        return end - start > BlockingBytes;
    }
}
