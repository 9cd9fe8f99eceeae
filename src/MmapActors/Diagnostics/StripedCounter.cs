using System.Numerics;
using System.Runtime.InteropServices;

namespace MmapActors.Diagnostics;

/// <summary>
/// A count that many threads raise at once without sharing a cache line: each processor adds to its own cell, and a
/// read adds the cells up. One <see cref="Interlocked.Increment(ref long)"/> on a shared field costs a cache-line
/// transfer between cores on every call when two threads raise it in turn (the HTTP data plane's I/O threads do, once
/// per request); a cell is shared only by the threads that run on the same processor.
/// </summary>
/// <remarks>A read is not a snapshot: increments that run meanwhile may or may not be in it. Every increment made before
/// the read began is.</remarks>
internal sealed class StripedCounter
{
    // 128 bytes apart: two cells on adjacent cache lines would still be fetched together by the adjacent-line prefetcher.
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct Cell
    {
        [FieldOffset(0)] public long Value;
    }

    private readonly Cell[] _cells;
    private readonly int _mask;

    /// <summary>A counter at zero with one cell per processor (rounded up to a power of two, at most 64).</summary>
    public StripedCounter()
        : this(PerProcessor(64))
    {
    }

    /// <summary>Cells for one per processor, rounded up to a power of two, at most <paramref name="max"/> (a power of two):
    /// a counter that exists once per file rather than once per server keeps its 128 bytes a cell few.</summary>
    public static int PerProcessor(int max) => (int)Math.Min(max, BitOperations.RoundUpToPowerOf2((uint)Environment.ProcessorCount));

    /// <summary>A counter at zero with <paramref name="cells"/> cells (tests use one, to make every thread share it).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cells"/> is not a power of two.</exception>
    internal StripedCounter(int cells)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cells);
        if (!BitOperations.IsPow2(cells))
        {
            throw new ArgumentOutOfRangeException(nameof(cells), cells, "the number of cells must be a power of two");
        }
        _cells = new Cell[cells];
        _mask = cells - 1;
    }

    /// <summary>Adds one.</summary>
    public void Increment() => Interlocked.Increment(ref _cells[Thread.GetCurrentProcessorId() & _mask].Value);

    /// <summary>The sum of every increment so far.</summary>
    public long Value
    {
        get
        {
            long sum = 0;
            for (int i = 0; i < _cells.Length; i++)
            {
                sum += Volatile.Read(ref _cells[i].Value);
            }
            return sum;
        }
    }
}
