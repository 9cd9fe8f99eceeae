using MmapActors.Actors;
using MmapActors.Owner;
using MmapActors.Protocol;
using MmapActors.Tests.Actors;

namespace MmapActors.Tests.Owner;

/// <summary>One mapping per file: handles with the same options share it, with a cursor, access and leases each.</summary>
public sealed class SharedFileTests : IDisposable
{
    private readonly TempFile _temp = new(64 << 10);
    private readonly ResourceBudget _budget = new(OwnerTestSettings.Default);
    private readonly SharedFile _file;

    public SharedFileTests()
    {
        _file = new SharedFile(_temp.Path, _temp.Path, null, OwnerTestSettings.Default, _budget);
    }

    private long Open(MapOptions? options = null, string client = "client") => _file.Open(options ?? new MapOptions(_temp.Path), client).Id;

    private T Run<T>(long handle, MapOperation operation) where T : MapReply => Assert.IsType<T>(_file.Execute(handle, operation));

    [Fact]
    public void Handles_opened_alike_share_one_mapping_and_keep_their_own_cursors()
    {
        long a = Open(), b = Open();
        Assert.Equal(1, _file.MappingCount);
        Run<BytesReply>(a, new Read(100));
        Run<NumberReply>(b, new Seek(5000));
        Assert.Equal(100, Run<NumberReply>(a, Tell.Instance).Value);
        Assert.Equal(5000, Run<NumberReply>(b, Tell.Instance).Value);
        Run<Done>(a, new WriteAt(7, [42]));
        Assert.Equal(42, Run<NumberReply>(b, new GetItem(7)).Value);
        Assert.Contains("pos=5000", Run<TextReply>(b, Repr.Instance).Value);
    }

    [Fact]
    public void Handles_with_other_access_offset_length_or_copy_on_write_get_mappings_of_their_own()
    {
        Open();
        Open(new MapOptions(_temp.Path, Access: MmapAccess.Read));
        Open(new MapOptions(_temp.Path, Offset: MemoryMap.PageSize));
        Open(new MapOptions(_temp.Path, Length: 4096));
        long cow1 = Open(new MapOptions(_temp.Path, Access: MmapAccess.Copy));
        long cow2 = Open(new MapOptions(_temp.Path, Access: MmapAccess.Copy));
        Assert.Equal(6, _file.MappingCount);
        byte original = _temp.ReadAll()[0];
        byte changed = (byte)(original ^ 0xFF);
        Run<Done>(cow1, new WriteAt(0, [changed]));
        Assert.Equal(changed, Run<NumberReply>(cow1, new GetItem(0)).Value);
        Assert.Equal(original, Run<NumberReply>(cow2, new GetItem(0)).Value); // private pages stay private
        Assert.Equal(original, _temp.ReadAll()[0]);
    }

    [Fact]
    public void Closing_one_handle_leaves_the_shared_mapping_to_the_others()
    {
        long a = Open(), b = Open();
        Run<Done>(a, Close.Instance);
        Assert.True(Run<BooleanReply>(a, IsClosed.Instance).Value);
        Assert.False(Run<BooleanReply>(b, IsClosed.Instance).Value);
        Assert.Equal(64 << 10, Run<BytesReply>(b, ToBytes.Instance).Data.Length);
        Run<Done>(b, Close.Instance);
        Assert.Equal(0, _file.MappingCount);
        Assert.Equal(0, _budget.MappedBytes);
    }

    [Fact]
    public void A_lease_pins_only_its_own_handle_against_close_and_resize()
    {
        long a = Open(), b = Open();
        Run<LeaseReply>(a, AcquireLease.Instance);
        Assert.Equal(MmapErrorKind.BufferError, Run<MmapError>(a, Close.Instance).Kind);
        Assert.Equal(MmapErrorKind.BufferError, Run<MmapError>(a, new Resize(4096)).Kind);
        Run<Done>(b, new Resize(128 << 10)); // b moves to a mapping of its own; a keeps its leased memory
        Assert.Equal(2, _file.MappingCount);
        Assert.Equal(128 << 10, Run<NumberReply>(b, Length.Instance).Value);
        Assert.Equal(64 << 10, Run<NumberReply>(a, Length.Instance).Value);
        Run<Done>(a, ReleaseLease.Instance);
        Assert.Equal(128 << 10, Run<NumberReply>(a, Length.Instance).Value); // followed at release
        Run<Done>(b, Close.Instance);
        Run<Done>(a, Close.Instance);
        Assert.Equal(0, _budget.MappedBytes);
    }

    [Fact]
    public void A_resize_through_a_shared_mapping_is_seen_by_every_handle_and_counted_for_each()
    {
        long a = Open(), b = Open();
        Assert.Equal(2L * (64 << 10), _budget.MappedBytes);
        Run<Done>(a, new Resize(100_000));
        Assert.Equal(100_000, Run<NumberReply>(b, Length.Instance).Value);
        Assert.Equal(2L * 100_000, _budget.MappedBytes);
        Assert.Equal(1, _file.MappingCount);
        Assert.Equal(2L * 100_000, _file.Stats(c => c.ToString()!).BytesMapped);
    }

    [Fact]
    public void Releasing_a_client_closes_its_handles_and_keeps_the_others()
    {
        long mine = Open(client: "mine");
        long theirs = Open(client: "theirs");
        Run<LeaseReply>(mine, AcquireLease.Instance);
        Assert.Equal(1, _file.ReleaseClient("mine"));
        Assert.True(Run<BooleanReply>(mine, IsClosed.Instance).Value);
        Assert.False(Run<BooleanReply>(theirs, IsClosed.Instance).Value);
        Run<Done>(theirs, new Resize(8192)); // the released lease no longer pins anything
    }

    [Fact]
    public void Reopening_after_a_restart_keeps_every_cursor()
    {
        long a = Open(), b = Open();
        Run<NumberReply>(a, new Seek(10));
        Run<NumberReply>(b, new Seek(20));
        Assert.Equal(1, _file.ReopenSharedMappings());
        Assert.Equal(10, Run<NumberReply>(a, Tell.Instance).Value);
        Assert.Equal(20, Run<NumberReply>(b, Tell.Instance).Value);
    }

    public void Dispose()
    {
        _file.CloseAll();
        _temp.Dispose();
    }
}
