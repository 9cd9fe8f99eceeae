using MmapActors.Protocol;

namespace MmapActors.Tests.Remote.Adversarial;

/// <summary>Over the network, every operation that carries or asks for bytes is held to
/// <c>mmap.limits.max-range-length</c>, alone and inside batches, before any reply is built: a small request cannot make
/// the server build a big reply.</summary>
public sealed class ByteLimitAttackTests : IAsyncLifetime
{
    private const int Limit = 64 * 1024;
    private AttackedServer _server = null!;
    private IMappedFile _file = null!;

    public async Task InitializeAsync()
    {
        _server = await AttackedServer.StartAsync($"mmap.limits.max-range-length = {Limit}");
        // 8 MiB without a newline: ReadLine would answer all of it.
        _file = await _server.Honest.OpenAsync(_server.Write("big.bin", Enumerable.Repeat((byte)'x', 8 << 20).ToArray()));
    }

    public async Task DisposeAsync()
    {
        await _file.DisposeAsync();
        await _server.DisposeAsync();
    }

    public static IEnumerable<object[]> Oversized() =>
    [
        [new ReadAt(0, Limit + 1)],
        [new Read(null)],
        [new Read(Limit + 1)],
        [ReadLine.Instance],
        [new GetSlice(null, null)],
        [ToBytes.Instance],
        [new WriteAt(0, new byte[Limit + 1])],
        [new Write(new byte[Limit + 1])],
        [new SetSlice(0, Limit + 1, null, new byte[Limit + 1])],
    ];

    [Theory]
    [MemberData(nameof(Oversized))]
    public async Task An_oversized_operation_is_refused_alone_and_inside_a_batch(MapOperation operation)
    {
        Assert.Equal(MmapErrorCode.LimitExceeded, await RefusalAsync(() => _file.BatchAsync([operation])));
        Assert.Equal(MmapErrorCode.LimitExceeded, await RefusalAsync(() => _file.BatchAsync([new Seek(0), operation, Tell.Instance])));
        await _server.AssertStillServesAsync();
    }

    /// <summary>The code of a refused batch: refused whole before it runs (thrown), or stopped at the operation.</summary>
    private static async Task<MmapErrorCode?> RefusalAsync(Func<Task<BatchReply>> batch)
    {
        try
        {
            return (await batch()).Error?.Code;
        }
        catch (MmapException e)
        {
            return e.Code;
        }
    }

    [Fact]
    public async Task A_two_kilobyte_batch_of_whole_map_slices_is_refused_before_any_reply_is_built()
    {
        var slices = Enumerable.Range(0, 100).Select(_ => (MapOperation)new GetSlice(0, Limit / 2)).ToArray();
        long before = GC.GetTotalAllocatedBytes();

        Assert.Equal(MmapErrorCode.LimitExceeded, await RefusalAsync(() => _file.BatchAsync(slices)));

        Assert.True(GC.GetTotalAllocatedBytes() - before < 32L << 20, "a refused batch built its replies");
        Assert.NotNull(await RefusalAsync(() => _file.BatchAsync([new Batch([Tell.Instance])])));
    }
}
