using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace MmapActors.Remote.Http;

/// <summary>
/// The data plane's socket buffers: pinned blocks of <see cref="BlockSize"/> bytes, twice Kestrel's default 4 KiB, so
/// that a response's headers and a 4 KiB range share one block.
/// </summary>
/// <remarks>
/// With Kestrel's 4 KiB blocks the headers filled the start of one block and the range the next, so every 4 KiB
/// response left the socket through the scatter path (<c>sendmsg</c> of two buffers), which pins each buffer with a
/// GC handle per send. One block goes out through the single-buffer path, pinned already. The blocks are allocated on
/// the pinned object heap, as Kestrel's are; at most <see cref="MaxIdleBlocks"/> idle ones are kept, the rest are left
/// to the garbage collector, so a burst (many uploads at once) does not pin its peak for the life of the server.
/// </remarks>
internal sealed class ResponseBlockPool : MemoryPool<byte>
{
    /// <summary>The size of every block.</summary>
    public const int BlockSize = 8192;

    /// <summary>Idle blocks kept for reuse (8 MiB) by a pool, or by all the pools of one factory together.</summary>
    public const int MaxIdleBlocks = 1024;

    private readonly ConcurrentQueue<Block> _idle = new();
    private readonly IdleBudget _budget;
    private int _idleCount;
    private readonly Action? _allocated;
    private int _disposed;

    /// <summary>An empty pool; <paramref name="allocated"/>, when given, is called for every block it allocates (not for
    /// blocks it hands out again).</summary>
    public ResponseBlockPool(Action? allocated = null)
        : this(allocated, new IdleBudget())
    {
    }

    /// <summary>A pool that keeps its share of <paramref name="budget"/>, which other pools may share: Kestrel asks its
    /// factory for a pool per I/O queue, and the idle bound is for the server, not for each queue.</summary>
    internal ResponseBlockPool(Action? allocated, IdleBudget budget)
    {
        ArgumentNullException.ThrowIfNull(budget);
        _allocated = allocated;
        _budget = budget;
        budget.Join();
    }

    /// <inheritdoc />
    public override int MaxBufferSize => BlockSize;

    /// <summary>Blocks this pool keeps for reuse now (tests).</summary>
    internal int IdleBlocks => Volatile.Read(ref _idleCount);

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minBufferSize"/> is more than <see cref="BlockSize"/>.</exception>
    /// <exception cref="ObjectDisposedException">The pool was disposed.</exception>
    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_idle.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _idleCount);
            block.Rented();
            return block;
        }
        _allocated?.Invoke();
        return new Block(this);
    }

    private void Return(Block block)
    {
        // Into a disposed pool, or past this pool's share of the bound, the block goes to the garbage collector.
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }
        if (Interlocked.Increment(ref _idleCount) <= _budget.PerPool)
        {
            _idle.Enqueue(block);
            return;
        }
        Interlocked.Decrement(ref _idleCount);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            while (_idle.TryDequeue(out _))
            {
                Interlocked.Decrement(ref _idleCount);
            }
        }
    }

    /// <summary>The idle bound shared by the pools of one factory: each pool keeps at most an equal share of
    /// <see cref="MaxIdleBlocks"/>.</summary>
    /// <remarks>
    /// Shared as a bound, not as one queue of idle blocks: Kestrel rents and returns a connection's blocks on the I/O
    /// thread of its queue, so a queue per pool stays in that thread's cache, where one queue for every pool had the
    /// processors take its head and its count from each other on every rent and return (2.7 % of the data plane's CPU
    /// under wrk, perf, docs/benchmarks.md "sixth pass").
    /// </remarks>
    internal sealed class IdleBudget
    {
        private int _pools;

        /// <summary>The idle blocks each pool may keep: <see cref="MaxIdleBlocks"/> split evenly between the pools made so far.</summary>
        public int PerPool { get; private set; } = MaxIdleBlocks;

        internal void Join()
        {
            int pools = Interlocked.Increment(ref _pools);
            // A pool made later lowers the share of the earlier ones; they trim their surplus as blocks come back.
            PerPool = Math.Max(1, MaxIdleBlocks / pools);
        }
    }

    /// <summary>One block: a pinned array, handed back to its pool when its renter disposes it.</summary>
    internal sealed class Block(ResponseBlockPool pool) : IMemoryOwner<byte>
    {
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true);
        private readonly ResponseBlockPool _pool = pool;
        private int _returned;

        // Created from the pinned array, so that Memory.Pin() (the socket's send) takes no GC handle.
        public Memory<byte> Memory => Volatile.Read(ref _returned) == 0
            ? MemoryMarshal.CreateFromPinnedArray(_array, 0, _array.Length)
            : throw new ObjectDisposedException(nameof(Block), "the block was returned to its pool");

        /// <summary>Handed out again by its pool.</summary>
        public void Rented() => Volatile.Write(ref _returned, 0);

        public void Dispose()
        {
            // Once: a second dispose by a confused renter must not put the block in the pool twice (two renters, one block).
            if (Interlocked.Exchange(ref _returned, 1) == 0)
            {
                _pool.Return(this);
            }
        }
    }
}
