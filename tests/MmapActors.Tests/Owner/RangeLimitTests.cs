using MmapActors.Actors;
using MmapActors.Owner;
using MmapActors.Protocol;
using MmapActors.Tests.Actors;

namespace MmapActors.Tests.Owner;

/// <summary><c>mmap.limits.max-range-length</c> (4 KiB here) against every operation that carries or asks for bytes,
/// alone and inside a batch, on a 64 KiB file without a newline.</summary>
public sealed class RangeLimitTests : IDisposable
{
    private const int Limit = 4096;
    private const int Big = 2 * Limit;
    private readonly TempFile _temp = new(Content());
    private readonly SharedFile _file;
    private readonly long _handle;

    public RangeLimitTests()
    {
        var settings = OwnerTestSettings.Default with { MaxRangeLength = Limit };
        _file = new SharedFile(_temp.Path, _temp.Path, null, settings, new ResourceBudget(settings));
        _handle = _file.Open(new MapOptions(_temp.Path), "client").Id;
    }

    /// <summary>64 KiB of bytes that are never a newline, so a readline reads to the end.</summary>
    private static byte[] Content() => Enumerable.Range(0, 64 << 10).Select(i => (byte)('a' + i % 26)).ToArray();

    /// <summary>Every operation over the limit, by name. A new operation that carries or asks for bytes belongs here;
    /// one that does not belongs in <see cref="CarriesNothing"/> (a test below checks that every operation is in one).</summary>
    public static TheoryData<string> OverTheLimit => new(OverLimit.Keys);

    private static readonly Dictionary<string, Func<MapOperation>> OverLimit = new()
    {
        ["ReadAt"] = () => new ReadAt(0, Big),
        ["ReadAtInto"] = () => new ReadAtInto(0, new byte[Big]),
        ["Read (to the end)"] = () => new Read(),
        ["Read (count)"] = () => new Read(Big),
        ["ReadInto"] = () => new ReadInto(new byte[Big]),
        ["ReadLine (no newline)"] = () => ReadLine.Instance,
        ["GetSlice"] = () => new GetSlice(null, null),
        ["GetSlice (step)"] = () => new GetSlice(0, 3 * Big, 2),
        ["ToBytes"] = () => ToBytes.Instance,
        ["Write"] = () => new Write(new byte[Big]),
        ["WriteAt"] = () => new WriteAt(0, new byte[Big]),
        ["SetSlice"] = () => new SetSlice(0, Big, null, new byte[Big]),
        ["CompareAndSwap"] = () => new CompareAndSwap(0, new byte[3 * Limit / 4], new byte[3 * Limit / 4]), // 1.5 x the limit together
        ["Find"] = () => new Find(new byte[Big]),
        ["Contains"] = () => new Contains(new byte[Big]),
    };

    private static readonly HashSet<Type> CarriesNothing =
    [
        typeof(ReadByte), typeof(WriteByte), typeof(GetItem), typeof(SetItem), typeof(Seek), typeof(Tell), typeof(Flush),
        typeof(Madvise), typeof(Move), typeof(Resize), typeof(GrowTo), typeof(Size), typeof(Length), typeof(DeleteItem), typeof(DeleteSlice),
        typeof(Repr), typeof(IsClosed), typeof(Close), typeof(AcquireLease), typeof(ReleaseLease), typeof(Batch),
    ];

    [Theory]
    [MemberData(nameof(OverTheLimit))]
    public void An_operation_over_the_range_limit_is_refused_before_it_runs(string name)
    {
        var reply = _file.Execute(_handle, OverLimit[name]());
        AssertRefused(reply);
        AssertUntouched();
    }

    [Theory]
    [MemberData(nameof(OverTheLimit))]
    public void An_operation_over_the_range_limit_inside_a_batch_refuses_the_whole_batch(string name)
    {
        var reply = _file.Execute(_handle, new Batch([new WriteAt(0, [1, 2, 3]), OverLimit[name]()]));
        AssertRefused(reply);
        AssertUntouched(); // the first write did not run either
    }

    [Fact]
    public void Every_operation_is_either_tested_against_the_limit_or_carries_nothing()
    {
        var tested = OverLimit.Values.Select(f => f().GetType()).ToHashSet();
        var all = typeof(MapOperation).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(MapOperation)) && !t.IsAbstract);
        var missing = all.Where(t => !tested.Contains(t) && !CarriesNothing.Contains(t)).Select(t => t.Name).ToList();
        Assert.True(missing.Count == 0, "not classified: " + string.Join(", ", missing));
    }

    [Fact]
    public void Operations_within_the_limit_run()
    {
        Assert.Equal(Limit, ((BytesReply)_file.Execute(_handle, new ReadAt(0, Limit))).Data.Length);
        Assert.Equal(Limit, ((BytesReply)_file.Execute(_handle, new GetSlice(100, 100 + Limit))).Data.Length);
        Assert.IsType<NumberReply>(_file.Execute(_handle, new Find(new byte[16])));
    }

    [Fact]
    public void A_batch_of_ranges_each_within_the_limit_is_refused_when_its_total_passes_it()
    {
        var reply = _file.Execute(_handle, new Batch([new ReadAt(0, Limit / 2), new GetSlice(0, Limit / 2), new Read(Limit / 2)]));
        AssertRefused(reply);
        var fits = (BatchReply)_file.Execute(_handle, new Batch([new ReadAt(0, Limit / 2), new GetSlice(0, Limit / 2)]));
        Assert.True(fits.Succeeded);
    }

    [Fact]
    public void A_batch_that_moves_the_cursor_is_measured_again_as_each_operation_runs()
    {
        // At the start the cursor is at the end: Read() asks for nothing; after the Seek it asks for the whole file.
        _file.Execute(_handle, new Seek(0, SeekOrigin.End));
        var reply = Assert.IsType<BatchReply>(_file.Execute(_handle, new Batch([new Seek(0), new Read()])));
        Assert.Equal(1, reply.FailedIndex);
        Assert.Contains("max-range-length", reply.Error!.Message);
    }

    [Fact]
    public void A_batch_inside_a_batch_is_refused()
    {
        var reply = _file.Execute(_handle, new Batch([new Batch([new ReadAt(0, 1)])]));
        var error = Assert.IsType<MmapError>(reply);
        Assert.Equal(MmapErrorKind.ValueError, error.Kind);
        Assert.Contains("batch cannot contain a batch", error.Message);
    }

    [Fact]
    public void A_batch_inside_a_batch_on_a_closed_handle_is_refused_too()
    {
        var reply = Assert.IsType<BatchReply>(_file.Execute(12345, new Batch([IsClosed.Instance, new Batch([])])));
        Assert.Equal(1, reply.FailedIndex);
        Assert.Contains("batch cannot contain a batch", reply.Error!.Message);
    }

    private static void AssertRefused(MapReply reply)
    {
        var error = Assert.IsType<MmapError>(reply);
        Assert.Equal(MmapErrorKind.ValueError, error.Kind);
        Assert.Contains("max-range-length", error.Message);
    }

    private void AssertUntouched()
    {
        Assert.Equal(0L, ((NumberReply)_file.Execute(_handle, Tell.Instance)).Value);
        Assert.Equal(Content(), _temp.ReadAll());
    }

    public void Dispose()
    {
        _file.CloseAll();
        _temp.Dispose();
    }
}
