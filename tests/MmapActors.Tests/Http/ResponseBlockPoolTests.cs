using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using MmapActors.Remote.Http;

namespace MmapActors.Tests.Http;

/// <summary>The data plane's socket buffers (<see cref="ResponseBlockPool"/>): blocks that hold a response's headers and a
/// 4 KiB range together, reused, bounded, never handed to two renters.</summary>
public sealed class ResponseBlockPoolTests
{
    [Fact]
    public void A_block_holds_headers_and_a_4_KiB_range_and_comes_from_a_pinned_array()
    {
        using var pool = new ResponseBlockPool();
        using var block = pool.Rent();

        Assert.Equal(ResponseBlockPool.BlockSize, block.Memory.Length);
        Assert.True(block.Memory.Length >= 4096 + 1024);
        Assert.True(MemoryMarshal.TryGetArray<byte>(block.Memory, out var segment));
        // Pinned at allocation: pinning it for a send takes no GC handle (a pinned-object-heap array reports generation 2).
        Assert.Equal(2, GC.GetGeneration(segment.Array!));
    }

    [Fact]
    public void A_returned_block_is_handed_out_again_instead_of_a_new_one()
    {
        int allocated = 0;
        using var pool = new ResponseBlockPool(() => allocated++);
        var first = pool.Rent();
        var memory = first.Memory;
        first.Dispose();

        using var second = pool.Rent();

        Assert.Equal(1, allocated);
        Assert.True(memory.Span == second.Memory.Span);
    }

    [Fact]
    public void A_block_disposed_twice_goes_back_once_so_two_renters_never_share_it()
    {
        using var pool = new ResponseBlockPool();
        var block = pool.Rent();
        block.Dispose();
        block.Dispose();

        Assert.Equal(1, pool.IdleBlocks);
        using var first = pool.Rent();
        using var second = pool.Rent();
        Assert.False(first.Memory.Span == second.Memory.Span);
    }

    [Fact]
    public void A_returned_block_can_no_longer_be_written_through_its_owner()
    {
        using var pool = new ResponseBlockPool();
        var block = pool.Rent();
        block.Dispose();

        Assert.Throws<ObjectDisposedException>(() => block.Memory);
    }

    [Fact]
    public void At_most_the_idle_bound_is_kept_and_the_rest_is_left_to_the_garbage_collector()
    {
        using var pool = new ResponseBlockPool();
        var blocks = Enumerable.Range(0, ResponseBlockPool.MaxIdleBlocks + 10).Select(_ => pool.Rent()).ToList();

        blocks.ForEach(b => b.Dispose());

        Assert.Equal(ResponseBlockPool.MaxIdleBlocks, pool.IdleBlocks);
    }

    [Fact]
    public void The_pools_of_one_factory_keep_at_most_the_idle_bound_together()
    {
        var factory = new ResponseBlockPoolFactory();
        using var first = (ResponseBlockPool)factory.Create();
        using var second = (ResponseBlockPool)factory.Create(); // Kestrel asks for one per I/O queue
        var blocks = Enumerable.Range(0, ResponseBlockPool.MaxIdleBlocks).Select(_ => first.Rent())
            .Concat(Enumerable.Range(0, ResponseBlockPool.MaxIdleBlocks).Select(_ => second.Rent())).ToList();

        blocks.ForEach(b => b.Dispose());

        Assert.Equal(ResponseBlockPool.MaxIdleBlocks / 2, first.IdleBlocks);
        Assert.Equal(ResponseBlockPool.MaxIdleBlocks / 2, second.IdleBlocks);
        Assert.Equal(2L * ResponseBlockPool.MaxIdleBlocks, factory.BlocksAllocated);
    }

    [Fact]
    public void A_pool_made_later_lowers_the_share_an_earlier_pool_keeps()
    {
        var factory = new ResponseBlockPoolFactory();
        using var first = (ResponseBlockPool)factory.Create();
        var blocks = Enumerable.Range(0, ResponseBlockPool.MaxIdleBlocks).Select(_ => first.Rent()).ToList();
        blocks.Take(ResponseBlockPool.MaxIdleBlocks / 2).ToList().ForEach(b => b.Dispose());
        Assert.Equal(ResponseBlockPool.MaxIdleBlocks / 2, first.IdleBlocks);

        using var second = (ResponseBlockPool)factory.Create();
        blocks.Skip(ResponseBlockPool.MaxIdleBlocks / 2).ToList().ForEach(b => b.Dispose());

        Assert.Equal(ResponseBlockPool.MaxIdleBlocks / 2, first.IdleBlocks); // the rest went to the garbage collector
    }

    [Fact]
    public void A_request_for_more_than_a_block_is_refused_and_a_disposed_pool_rents_nothing()
    {
        var pool = new ResponseBlockPool();
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(ResponseBlockPool.BlockSize + 1));
        var block = pool.Rent();

        pool.Dispose();

        Assert.Throws<ObjectDisposedException>(() => pool.Rent());
        block.Dispose(); // a block out at the time goes to the garbage collector, not back into the disposed pool
        Assert.Equal(0, pool.IdleBlocks);
    }

    [Fact]
    public async Task Renters_on_many_threads_never_hold_the_same_block_at_once()
    {
        int allocated = 0;
        using var pool = new ResponseBlockPool(() => Interlocked.Increment(ref allocated));
        const int Threads = 4, Rounds = 5_000;
        var held = new ConcurrentDictionary<byte[], int>(ReferenceEqualityComparer.Instance);

        var renters = Enumerable.Range(1, Threads).Select(id => Task.Run(() =>
        {
            for (int round = 0; round < Rounds; round++)
            {
                var block = pool.Rent();
                if (!held.TryAdd(ArrayOf(block), id))
                {
                    return false; // another renter holds this block right now
                }
                Thread.Yield(); // let the others rent and return meanwhile
                held.TryRemove(ArrayOf(block), out _);
                block.Dispose();
            }
            return true;
        })).ToArray();

        Assert.All(await Task.WhenAll(renters).WaitAsync(TimeSpan.FromSeconds(60)), Assert.True);
        Assert.InRange(allocated, 1, Threads); // never more blocks than were out at once
        // Every block went back once: draining the pool (until it has to allocate) gives each block once.
        int before = Volatile.Read(ref allocated);
        var drained = new List<byte[]>();
        for (var block = pool.Rent(); Volatile.Read(ref allocated) == before; block = pool.Rent())
        {
            drained.Add(ArrayOf(block));
        }
        Assert.Equal(before, drained.Count);
        Assert.Equal(drained.Count, drained.Distinct(ReferenceEqualityComparer.Instance).Count());
    }

    private static byte[] ArrayOf(IMemoryOwner<byte> block) =>
        MemoryMarshal.TryGetArray<byte>(block.Memory, out var segment) ? segment.Array! : throw new InvalidOperationException("not an array");
}
