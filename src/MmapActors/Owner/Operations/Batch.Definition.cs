using MmapActors.Owner;

namespace MmapActors.Protocol;

public sealed partial record Batch
{
    internal override MapReply Run(in OperationContext context) => context.File.RunBatch(context.Handle, this);

    /// <summary>What every operation of the batch carries or asks for, measured before any runs (a cursor moved by
    /// one of them is measured again when the next runs: see <see cref="SharedFile"/>).</summary>
    internal override long RangeLength(MemoryMap map)
    {
        long total = 0;
        foreach (var operation in Operations)
        {
            total = SaturatingAdd(total, operation is Batch ? 0 : operation.RangeLength(map));
        }
        return total;
    }

    internal override long BytesRead(MapReply reply) => Sum(reply, static (o, r) => o.BytesRead(r));

    internal override long BytesWritten(MapReply reply) => Sum(reply, static (o, r) => o.BytesWritten(r));

    /// <summary>One operation that may block, or many small ones that copy more than a few milliseconds' worth together.</summary>
    internal override bool MayBlock(MemoryMap map)
    {
        long total = 0;
        foreach (var operation in Operations)
        {
            if (operation is Batch)
            {
                continue; // refused when it runs
            }
            if (operation.MayBlock(map))
            {
                return true;
            }
            total = SaturatingAdd(total, Math.Max(0, operation.RangeLength(map)));
        }
        return total > BlockingBytes;
    }

    /// <summary>Inline only when every operation of the batch may run inline (a malformed or nested one: the owner
    /// answers it).</summary>
    internal override bool MayRunInline
    {
        get
        {
            if (Operations is null)
            {
                return false;
            }
            foreach (var operation in Operations)
            {
                if (operation is null or Batch || !operation.MayRunInline)
                {
                    return false;
                }
            }
            return true;
        }
    }

    /// <summary>On a closed handle each operation behaves as on a closed map, up to the first error.</summary>
    internal override MapReply RunClosed() => SharedFile.RunOperations(this, static o => o.RunClosed());

    /// <summary>Why a batch inside a batch is refused: its total and its turn would be unbounded.</summary>
    internal static MmapException Nested() =>
        new(MmapErrorKind.ValueError, "a batch cannot contain a batch") { Code = MmapErrorCode.InvalidRequest };

    private long Sum(MapReply reply, Func<MapOperation, MapReply, long> count)
    {
        if (reply is not BatchReply batch)
        {
            return 0;
        }
        long total = 0;
        for (int i = 0; i < batch.Results.Count && i < Operations.Count; i++)
        {
            total += count(Operations[i], batch.Results[i]);
        }
        return total;
    }

    private static long SaturatingAdd(long a, long b) => b > long.MaxValue - a ? long.MaxValue : a + b;
}
