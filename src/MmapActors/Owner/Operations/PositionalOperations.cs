using MmapActors.Owner;

// The positional operations MmapActors adds to Python's API: they neither use nor move the cursor.
namespace MmapActors.Protocol;

public sealed partial record ReadAt
{
    internal override MapReply Run(in OperationContext context)
    {
        var map = context.Map;
        if (Count < 0)
        {
            throw new MmapException(MmapErrorKind.ValueError, "read count out of range");
        }
        long length = map.Length;
        if (Offset < 0 || Offset > length)
        {
            throw new MmapException(MmapErrorKind.ValueError, "read position out of range");
        }
        var data = new byte[Math.Min(Count, length - Offset)];
        map.ReadAt(Offset, data);
        return new BytesReply(data);
    }

    /// <summary>The count asked for, whatever the map holds: the limit refuses the request, not its answer.</summary>
    internal override long RangeLength(MemoryMap map) => Count;

    internal override long BytesRead(MapReply reply) => BytesOf(reply);

    internal override long BytesWritten(MapReply reply) => 0;

    internal override bool MayBlock(MemoryMap map) => Count > BlockingBytes;

    internal override bool SharesTurn => true;
}

public sealed partial record ReadAtInto
{
    internal override MapReply Run(in OperationContext context) =>
        Cancellation.IsCancellationRequested ? Canceled.Instance : new NumberReply(context.Map.ReadAt(Offset, Destination.Span));

    internal override long RangeLength(MemoryMap map) => Destination.Length;

    internal override long BytesRead(MapReply reply) => NumberOf(reply);

    internal override long BytesWritten(MapReply reply) => 0;

    internal override bool MayBlock(MemoryMap map) => Destination.Length > BlockingBytes;

    internal override bool SharesTurn => true;
}

public sealed partial record WriteAt
{
    internal override MapReply Run(in OperationContext context)
    {
        context.Map.WriteAt(Offset, Data);
        return Done.Instance;
    }

    internal override long RangeLength(MemoryMap map) => Data.Length;

    internal override long BytesRead(MapReply reply) => 0;

    internal override long BytesWritten(MapReply reply) => reply is Done ? Data.Length : 0;

    internal override bool MayBlock(MemoryMap map) => Data.Length > BlockingBytes;
}

public sealed partial record CompareAndSwap
{
    internal override MapReply Run(in OperationContext context)
    {
        var map = context.Map;
        if (Expected.Length != Replacement.Length)
        {
            throw new MmapException(MmapErrorKind.ValueError, "compare-and-swap needs an expected value and a replacement of equal length");
        }
        long length = map.Length;
        if (map.Access == MmapAccess.Read)
        {
            throw new MmapException(MmapErrorKind.TypeError, "mmap can't modify a readonly memory map.");
        }
        if (Offset < 0 || Offset > length - Expected.Length)
        {
            throw new MmapException(MmapErrorKind.ValueError, "data out of range");
        }
        Span<byte> current = Expected.Length <= 256 ? stackalloc byte[Expected.Length] : new byte[Expected.Length];
        map.ReadAt(Offset, current);
        if (!current.SequenceEqual(Expected))
        {
            throw Mismatch(Offset, Expected.Length);
        }
        map.WriteAt(Offset, Replacement);
        return Done.Instance;
    }

    /// <summary>The expected value and the replacement both travel.</summary>
    internal override long RangeLength(MemoryMap map) => (long)Expected.Length + Replacement.Length;

    internal override long BytesRead(MapReply reply) => 0;

    internal override long BytesWritten(MapReply reply) => reply is Done ? Replacement.Length : 0;

    internal static MmapException Mismatch(long offset, int count) =>
        new(MmapErrorKind.ValueError, FailedPrefix + $" the {count} bytes at {offset} differ from the expected value")
        {
            Code = MmapErrorCode.CompareAndSwapFailed,
        };
}
