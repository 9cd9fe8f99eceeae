using MmapActors.Owner;

// The operations that use and move the handle's cursor (Python's file-like methods).
namespace MmapActors.Protocol;

public sealed partial record Read
{
    internal override MapReply Run(in OperationContext context) =>
        new BytesReply(Count is { } n ? context.Map.Read(n) : context.Map.Read());

    internal override long RangeLength(MemoryMap map) => Math.Min(Count is { } n and >= 0 ? n : long.MaxValue, Remaining(map));

    internal override long BytesRead(MapReply reply) => BytesOf(reply);

    internal override long BytesWritten(MapReply reply) => 0;

    internal override bool MayBlock(MemoryMap map) => RangeLength(map) > BlockingBytes;
}

public sealed partial record ReadInto
{
    internal override MapReply Run(in OperationContext context) =>
        Cancellation.IsCancellationRequested ? Canceled.Instance : new NumberReply(context.Map.Read(Destination.Span));

    internal override long RangeLength(MemoryMap map) => Math.Min(Destination.Length, Remaining(map));

    internal override long BytesRead(MapReply reply) => NumberOf(reply);

    internal override long BytesWritten(MapReply reply) => 0;

    internal override bool MayBlock(MemoryMap map) => RangeLength(map) > BlockingBytes;
}

public sealed partial record ReadByte
{
    internal override MapReply Run(in OperationContext context) => new NumberReply(context.Map.ReadByte());

    internal override long RangeLength(MemoryMap map) => 1;

    internal override long BytesRead(MapReply reply) => reply is NumberReply ? 1 : 0;

    internal override long BytesWritten(MapReply reply) => 0;
}

public sealed partial record ReadLine
{
    private static readonly byte[] Newline = [(byte)'\n'];

    internal override MapReply Run(in OperationContext context) => new BytesReply(context.Map.ReadLine());

    /// <summary>Up to and including the next newline, or to the end when there is none (a file without newlines is
    /// one line: the whole rest of the map).</summary>
    internal override long RangeLength(MemoryMap map)
    {
        long remaining = Remaining(map);
        if (remaining == 0)
        {
            return 0;
        }
        long newline = map.Find(Newline, map.Position);
        return newline < 0 ? remaining : newline - map.Position + 1;
    }

    internal override long BytesRead(MapReply reply) => BytesOf(reply);

    internal override long BytesWritten(MapReply reply) => 0;

    internal override bool MayBlock(MemoryMap map) => Remaining(map) > BlockingBytes;
}

public sealed partial record Write
{
    internal override MapReply Run(in OperationContext context) => new NumberReply(context.Map.Write(Data));

    internal override long RangeLength(MemoryMap map) => Data.Length;

    internal override long BytesRead(MapReply reply) => 0;

    internal override long BytesWritten(MapReply reply) => NumberOf(reply);

    internal override bool MayBlock(MemoryMap map) => Data.Length > BlockingBytes;
}

public sealed partial record WriteByte
{
    internal override MapReply Run(in OperationContext context)
    {
        context.Map.WriteByte(Value);
        return Done.Instance;
    }

    internal override long RangeLength(MemoryMap map) => 1;

    internal override long BytesRead(MapReply reply) => 0;

    internal override long BytesWritten(MapReply reply) => reply is Done ? 1 : 0;
}

public sealed partial record Seek
{
    internal override MapReply Run(in OperationContext context) => new NumberReply(context.Map.Seek(Position, Whence));

    internal override long RangeLength(MemoryMap map) => 0;

    internal override long BytesRead(MapReply reply) => 0;

    internal override long BytesWritten(MapReply reply) => 0;
}

public sealed partial record Tell
{
    internal override MapReply Run(in OperationContext context) => new NumberReply(context.Map.Tell());

    internal override long RangeLength(MemoryMap map) => 0;

    internal override long BytesRead(MapReply reply) => 0;

    internal override long BytesWritten(MapReply reply) => 0;
}
