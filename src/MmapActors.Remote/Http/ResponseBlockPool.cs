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

    private readonly Shelf _shelf;
    private readonly Action? _allocated;
    private int _disposed;

    /// <summary>An empty pool; <paramref name="allocated"/>, when given, is called for every block it allocates (not for
    /// blocks it hands out again).</summary>
    public ResponseBlockPool(Action? allocated = null)
        : this(allocated, new Shelf())
    {
    }

    /// <summary>A pool that keeps its idle blocks on <paramref name="shelf"/>, which other pools may share: Kestrel asks
    /// its factory for a pool per I/O queue, and the idle bound is for the server, not for each queue.</summary>
    internal ResponseBlockPool(Action? allocated, Shelf shelf)
    {
        ArgumentNullException.ThrowIfNull(shelf);
        _allocated = allocated;
        _shelf = shelf;
    }

    /// <inheritdoc />
    public override int MaxBufferSize => BlockSize;

    /// <summary>Blocks kept for reuse now, on this pool's shelf (tests).</summary>
    internal int IdleBlocks => Volatile.Read(ref _shelf.Count);

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minBufferSize"/> is more than <see cref="BlockSize"/>.</exception>
    /// <exception cref="ObjectDisposedException">The pool was disposed.</exception>
    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_shelf.TryTake() is { } block)
        {
            block.Rented(this);
            return block;
        }
        _allocated?.Invoke();
        return new Block(this);
    }

    private void Return(Block block)
    {
        if (Volatile.Read(ref _disposed) == 0)
        {
            _shelf.TryPut(block); // past the bound, the block goes to the garbage collector
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _shelf.Clear();
        }
    }

    /// <summary>Idle blocks, at most <see cref="MaxIdleBlocks"/>, for one pool or for every pool of a factory.</summary>
    internal sealed class Shelf
    {
        private readonly ConcurrentQueue<Block> _blocks = new();
        internal int Count;

        internal Block? TryTake()
        {
            if (!_blocks.TryDequeue(out var block))
            {
                return null;
            }
            Interlocked.Decrement(ref Count);
            return block;
        }

        internal void TryPut(Block block)
        {
            if (Interlocked.Increment(ref Count) <= MaxIdleBlocks)
            {
                _blocks.Enqueue(block);
                return;
            }
            Interlocked.Decrement(ref Count);
        }

        internal void Clear()
        {
            while (TryTake() is not null)
            {
            }
        }
    }

    /// <summary>One block: a pinned array, handed back to the pool that rented it out last when its renter disposes it.</summary>
    internal sealed class Block(ResponseBlockPool pool) : IMemoryOwner<byte>
    {
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true);
        private ResponseBlockPool _pool = pool;
        private int _returned;

        // Created from the pinned array, so that Memory.Pin() (the socket's send) takes no GC handle.
        public Memory<byte> Memory => Volatile.Read(ref _returned) == 0
            ? MemoryMarshal.CreateFromPinnedArray(_array, 0, _array.Length)
            : throw new ObjectDisposedException(nameof(Block), "the block was returned to its pool");

        /// <summary>Handed out again, by <paramref name="pool"/> (a shared shelf's block may change pools).</summary>
        public void Rented(ResponseBlockPool pool)
        {
            _pool = pool;
            Volatile.Write(ref _returned, 0);
        }

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
