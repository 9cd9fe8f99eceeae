using MmapActors.Owner;

// The operations on the map as a whole: its length and size, flushing, advice, moves, resize, leases, repr and close.
namespace MmapActors.Protocol;

public sealed partial record Flush
{
    internal override bool MayRunInline => false;

    internal override MapReply Run(in OperationContext context)
    {
        var m = context.Map;
        if (Offset is null) m.Flush();
        else if (Size is null) m.Flush(Offset.Value);
        else m.Flush(Offset.Value, Size.Value);
        return Done.Instance;
    }

    internal override long RangeLength(MemoryMap map) => 0;

    internal override long BytesRead(MapReply reply) => 0;

    internal override long BytesWritten(MapReply reply) => 0;

    /// <summary>msync waits for the disk.</summary>
    internal override bool MayBlock(MemoryMap map) => true;
}

public sealed partial record Madvise
{
    internal override bool MayRunInline => false;

    internal override MapReply Run(in OperationContext context)
    {
        var m = context.Map;
        if (Start is null) m.Madvise(Option);
        else if (Length is null) m.Madvise(Option, Start.Value);
        else m.Madvise(Option, Start.Value, Length.Value);
        return Done.Instance;
    }

    internal override long RangeLength(MemoryMap map) => 0;

    internal override long BytesRead(MapReply reply) => 0;

    internal override long BytesWritten(MapReply reply) => 0;

    /// <summary>Some advice reads or writes back pages before it returns (MADV_POPULATE_*, MADV_PAGEOUT, ...).</summary>
    internal override bool MayBlock(MemoryMap map) => true;
}

public sealed partial record Move
{
    internal override MapReply Run(in OperationContext context)
    {
        context.Map.Move(Destination, Source, Count);
        return Done.Instance;
    }

    /// <summary>The bytes move inside the map; nothing travels.</summary>
    internal override long RangeLength(MemoryMap map) => 0;

    internal override long BytesRead(MapReply reply) => 0;

    internal override long BytesWritten(MapReply reply) => 0;

    internal override bool MayBlock(MemoryMap map) => Count > BlockingBytes;
}

public sealed partial record Resize
{
    internal override bool MayRunInline => false;

    internal override MapReply Run(in OperationContext context)
    {
        context.File.Resize(context.Handle, NewSize);
        return Done.Instance;
    }

    internal override long RangeLength(MemoryMap map) => 0;

    internal override long BytesRead(MapReply reply) => 0;

    internal override long BytesWritten(MapReply reply) => 0;

    /// <summary>ftruncate may wait for the file system (and, for a shrink, for written-back pages).</summary>
    internal override bool MayBlock(MemoryMap map) => true;
}

internal sealed partial record GrowTo
{
    internal override bool MayRunInline => false;

    internal override MapReply Run(in OperationContext context) => new NumberReply(context.File.GrowTo(context.Handle, Length));

    internal override long RangeLength(MemoryMap map) => 0;

    internal override long BytesRead(MapReply reply) => 0;

    internal override long BytesWritten(MapReply reply) => 0;

    /// <summary>As <see cref="Resize"/>: ftruncate and fallocate may wait for the file system.</summary>
    internal override bool MayBlock(MemoryMap map) => true;
}

public sealed partial record Size
{
    internal override MapReply Run(in OperationContext context) => new NumberReply(context.Map.Size());

    internal override long RangeLength(MemoryMap map) => 0;

    internal override long BytesRead(MapReply reply) => 0;

    internal override long BytesWritten(MapReply reply) => 0;
}

public sealed partial record Length
{
    internal override MapReply Run(in OperationContext context) => new NumberReply(context.Map.Length);

    internal override long RangeLength(MemoryMap map) => 0;

    internal override long BytesRead(MapReply reply) => 0;

    internal override long BytesWritten(MapReply reply) => 0;
}

public sealed partial record Repr
{
    internal override MapReply Run(in OperationContext context) => new TextReply(context.Map.ToString());

    internal override long RangeLength(MemoryMap map) => 0;

    internal override long BytesRead(MapReply reply) => 0;

    internal override long BytesWritten(MapReply reply) => 0;

    internal override MapReply RunClosed() => new TextReply("<mmap.mmap closed=True>");
}

public sealed partial record IsClosed
{
    internal override MapReply Run(in OperationContext context) => new BooleanReply(false);

    internal override long RangeLength(MemoryMap map) => 0;

    internal override long BytesRead(MapReply reply) => 0;

    internal override long BytesWritten(MapReply reply) => 0;

    internal override MapReply RunClosed() => new BooleanReply(true);
}

public sealed partial record Close
{
    internal override bool MayRunInline => false;

    /// <summary>Closes this handle only (BufferError while it holds leases: it stays open).</summary>
    internal override MapReply Run(in OperationContext context)
    {
        context.File.Close(context.Handle);
        return Done.Instance;
    }

    internal override long RangeLength(MemoryMap map) => 0;

    internal override long BytesRead(MapReply reply) => 0;

    internal override long BytesWritten(MapReply reply) => 0;

    /// <summary>Python's close is idempotent.</summary>
    internal override MapReply RunClosed() => Done.Instance;
}

public sealed partial record AcquireLease
{
    internal override bool MayRunInline => false;

    internal override MapReply Run(in OperationContext context)
    {
        var lease = context.File.Lease(context.Handle);
        return new LeaseReply(lease.IsReadOnly, lease.Length);
    }

    internal override long RangeLength(MemoryMap map) => 0;

    internal override long BytesRead(MapReply reply) => 0;

    internal override long BytesWritten(MapReply reply) => 0;
}

public sealed partial record ReleaseLease
{
    internal override bool MayRunInline => false;

    internal override MapReply Run(in OperationContext context)
    {
        context.File.ReleaseLease(context.Handle);
        return Done.Instance;
    }

    internal override long RangeLength(MemoryMap map) => 0;

    internal override long BytesRead(MapReply reply) => 0;

    internal override long BytesWritten(MapReply reply) => 0;
}
