namespace MmapActors.Benchmarks.Callers;

/// <summary>
/// One caller of a figure: <see cref="StepAsync"/> does one operation. Callers keep their buffers and random
/// generators to themselves, so any number can run at once without sharing state; the quick runner and the
/// BenchmarkDotNet classes drive the same callers, so both measure the same work.
/// </summary>
internal abstract class Caller
{
    /// <summary>4 KiB: one page, the unit of the random-access figures.</summary>
    public const int Block = 4096;

    /// <summary>1 MiB: the unit of the streaming figures.</summary>
    public const int Chunk = 1 << 20;

    /// <summary>Does one operation.</summary>
    public abstract ValueTask StepAsync();

    /// <summary>A random <paramref name="size"/>-aligned offset of a whole block inside <paramref name="length"/> bytes.</summary>
    protected static long RandomOffset(Random random, long length, int size) => random.NextInt64(length / size) * size;
}
