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

    /// <summary>Idle blocks kept for reuse (8 MiB).</summary>
    public const int MaxIdleBlocks = 1024;

    private readonly ConcurrentQueue<Block> _idle = new();
    private readonly Action? _allocated;
    private int _idleCount;
    private int _disposed;

    /// <summary>An empty pool; <paramref name="allocated"/>, when given, is called for every block it allocates (not for
    /// blocks it hands out again).</summary>
    public ResponseBlockPool(Action? allocated = null) => _allocated = allocated;

    /// <inheritdoc />
    public override int MaxBufferSize => BlockSize;

    /// <summary>Blocks kept for reuse now (tests).</summary>
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
        if (Volatile.Read(ref _disposed) != 0)
        {
            return; // the pool is gone: the block goes to the garbage collector
        }
        if (Interlocked.Increment(ref _idleCount) <= MaxIdleBlocks)
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
            _idle.Clear();
            Volatile.Write(ref _idleCount, 0);
        }
    }

    /// <summary>One block: a pinned array, handed back to its pool when its renter disposes it.</summary>
    private sealed class Block(ResponseBlockPool pool) : IMemoryOwner<byte>
    {
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true);
        private int _returned;

        // Created from the pinned array, so that Memory.Pin() (the socket's send) takes no GC handle.
        public Memory<byte> Memory => Volatile.Read(ref _returned) == 0
            ? MemoryMarshal.CreateFromPinnedArray(_array, 0, _array.Length)
            : throw new ObjectDisposedException(nameof(Block), "the block was returned to its pool");

        public void Rented() => Volatile.Write(ref _returned, 0);

        public void Dispose()
        {
            // Once: a second dispose by a confused renter must not put the block in the pool twice (two renters, one block).
            if (Interlocked.Exchange(ref _returned, 1) == 0)
            {
                pool.Return(this);
            }
        }
    }
}
