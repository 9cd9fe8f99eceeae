using MmapActors.Actors;
using MmapActors.Owner;
using MmapActors.Protocol;
using MmapActors.Tests.Actors;

namespace MmapActors.Tests.Owner;

/// <summary>A long find scans in windows (so a GC never waits long for it) and finds exactly what one engine call finds.</summary>
public sealed class WindowedFindTests : IDisposable
{
    private const int Size = 20 << 20; // more than MapOperation.BlockingBytes
    private const int W = Find.SearchWindow;
    private readonly TempFile _temp;
    private readonly SharedFile _file;
    private readonly long _handle;
    private readonly MemoryMap _reference;

    public WindowedFindTests()
    {
        var data = new byte[Size];
        byte[] needle = "NEEDLE"u8.ToArray();
        // Matches straddling window ends, at the very start and end, and twice in one window.
        foreach (long at in new long[] { 0, W - 3, 3L * W - 1, 5L * W + 10, 5L * W + 100, 9L * W - 6, Size - 6 })
        {
            needle.CopyTo(data, at);
        }
        _temp = new TempFile(data);
        _file = new SharedFile(_temp.Path, _temp.Path, null, OwnerTestSettings.Default, new ResourceBudget(OwnerTestSettings.Default));
        _handle = _file.Open(new MapOptions(_temp.Path, Access: MmapAccess.Read), "client").Id;
        _reference = MemoryMap.Open(_temp.Path, access: MmapAccess.Read);
    }

    public static TheoryData<long?, long?> Ranges => new()
    {
        { null, null }, { 1, null }, { W - 2, null }, { W - 3, Size - 1 }, { 2, 9L * W - 1 }, { 2, 9L * W },
        { -(Size - 3), null }, { 3, -1 }, { 100, -(Size / 2) }, { 5L * W + 11, 5L * W + 106 },
    };

    [Theory]
    [MemberData(nameof(Ranges))]
    public void A_windowed_find_and_rfind_give_what_one_engine_call_gives(long? start, long? end)
    {
        byte[] needle = "NEEDLE"u8.ToArray();
        foreach (bool reverse in new[] { false, true })
        {
            long expected = (start, end, reverse) switch
            {
                (null, _, false) => _reference.Find(needle),
                ({ } s, null, false) => _reference.Find(needle, s),
                ({ } s, { } e, false) => _reference.Find(needle, s, e),
                (null, _, true) => _reference.RFind(needle),
                ({ } s, null, true) => _reference.RFind(needle, s),
                ({ } s, { } e, true) => _reference.RFind(needle, s, e),
            };
            var reply = Assert.IsType<NumberReply>(_file.Execute(_handle, new Find(needle, start, end, reverse)));
            Assert.Equal(expected, reply.Value);
        }
    }

    [Fact]
    public void A_find_over_more_than_a_few_megabytes_is_run_off_the_hot_path()
    {
        Assert.True(_file.MayBlock(_handle, new Find([1])));
        Assert.False(_file.MayBlock(_handle, new Find([1], 0, 1 << 20)));
    }

    [Fact]
    public void A_batch_of_small_reads_that_copies_more_than_a_few_megabytes_together_is_run_off_the_hot_path()
    {
        Assert.False(_file.MayBlock(_handle, new Batch(Enumerable.Range(0, 64).Select(i => new ReadAt(i * 4096L, 4096)).ToArray())));
        Assert.True(_file.MayBlock(_handle, new Batch(Enumerable.Range(0, 16).Select(i => new ReadAt(i * (1L << 20), 1 << 20)).ToArray())));
        Assert.True(_file.MayBlock(_handle, new Batch([Tell.Instance, new Flush()])));
    }

    public void Dispose()
    {
        _reference.Dispose();
        _file.CloseAll();
        _temp.Dispose();
    }
}
