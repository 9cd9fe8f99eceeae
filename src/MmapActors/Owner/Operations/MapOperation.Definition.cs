using MmapActors.Owner;

namespace MmapActors.Protocol;

// What every operation must say about itself. The members are abstract so that an operation added to the protocol
// does not compile until it states how it runs, what it asks for or carries, and what it moves: the owner, the
// range limit and the metrics all read these, and nothing else lists the operations.
public abstract partial record MapOperation
{
    /// <summary>Runs the operation on an open handle; <paramref name="context"/>'s map has the handle's cursor.</summary>
    /// <exception cref="MmapException">The Python error of the operation; the caller turns it into an <see cref="MmapError"/>.</exception>
    internal abstract MapReply Run(in OperationContext context);

    /// <summary>
    /// The bytes this operation carries to the owner or asks the owner for, as <c>mmap.limits.max-range-length</c> counts
    /// them, measured against <paramref name="map"/> (with the handle's cursor) just before the operation runs. Work
    /// that stays inside the map (<see cref="Move"/>, <see cref="Find"/>'s scan, <see cref="Flush"/>) travels nowhere
    /// and counts 0.
    /// </summary>
    internal abstract long RangeLength(MemoryMap map);

    /// <summary>Bytes a successful run copied out of the map to the caller (the <c>mmap.bytes_read</c> counter).</summary>
    internal abstract long BytesRead(MapReply reply);

    /// <summary>Bytes a successful run copied into the map (the <c>mmap.bytes_written</c> counter).</summary>
    internal abstract long BytesWritten(MapReply reply);

    /// <summary>Whether the operation may block its thread for long on this map (a system call that waits for the disk,
    /// or a scan or copy of many bytes), so that the owner runs it away from the threads that serve other files.</summary>
    internal virtual bool MayBlock(MemoryMap map) => false;

    /// <summary>Whether an in-process caller may run the operation on its own thread under the file's turn
    /// (<see cref="FileTurn"/>) when it does not <see cref="MayBlock"/>. False for every operation that opens, closes,
    /// resizes, flushes, advises or leases: those change the handles or the mappings, or wait, and belong to the owner.</summary>
    internal virtual bool MayRunInline => true;

    /// <summary>Whether the operation only reads the map at positions it names, neither using nor moving the cursor nor
    /// changing anything else, so that any number of such operations may run inline at once (they share the file's turn,
    /// <see cref="FileTurn"/>). Its <see cref="MayBlock"/> and <see cref="Run"/> must not read the map's cursor.</summary>
    internal virtual bool SharesTurn => false;

    /// <summary>What the operation does on a handle that was closed (or never existed): Python's closed-map behaviour.</summary>
    internal virtual MapReply RunClosed() => MmapError.From(new MmapException(MmapErrorKind.ValueError, "mmap closed or invalid"));

    /// <summary>Bytes above which a scan or copy is run off the owner's hot-path threads (a few milliseconds of work).</summary>
    internal const long BlockingBytes = 8L << 20;

    /// <summary>The length of <paramref name="reply"/>'s bytes, or 0.</summary>
    private protected static long BytesOf(MapReply reply) => reply is BytesReply bytes ? bytes.Data.Length : 0;

    /// <summary>The value of <paramref name="reply"/>'s number, or 0.</summary>
    private protected static long NumberOf(MapReply reply) => reply is NumberReply number ? number.Value : 0;

    /// <summary>Bytes from the cursor to the end (0 when the cursor is past it).</summary>
    private protected static long Remaining(MemoryMap map) => Math.Max(0, map.Length - map.Position);
}
