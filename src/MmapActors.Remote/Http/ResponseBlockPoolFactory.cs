using System.Buffers;
using Microsoft.AspNetCore.Connections;

namespace MmapActors.Remote.Http;

/// <summary>Gives Kestrel's socket transport <see cref="ResponseBlockPool"/>s instead of its 4 KiB block pool (registered
/// as the server's <see cref="IMemoryPoolFactory{T}"/>, which the transport asks for its pool).</summary>
internal sealed class ResponseBlockPoolFactory : IMemoryPoolFactory<byte>
{
    // One bound for every pool: Kestrel asks for a pool per I/O queue, and MaxIdleBlocks bounds the server's idle blocks.
    private readonly ResponseBlockPool.IdleBudget _budget = new();
    private long _blocksAllocated;

    /// <summary>Blocks allocated so far by every pool this factory made: tests prove with it that Kestrel uses them.</summary>
    public long BlocksAllocated => Interlocked.Read(ref _blocksAllocated);

    /// <inheritdoc />
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new ResponseBlockPool(() => Interlocked.Increment(ref _blocksAllocated), _budget);
}
