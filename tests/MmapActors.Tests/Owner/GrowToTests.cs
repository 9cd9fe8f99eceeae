using MmapActors.Actors;
using MmapActors.Owner;
using MmapActors.Protocol;
using MmapActors.Tests.Actors;

namespace MmapActors.Tests.Owner;

/// <summary><see cref="GrowTo"/>, the owner's grow-only resize that concurrent range PUTs use: it grows a shorter file as
/// <see cref="Resize"/> would (same checks, same errors) and never makes a file shorter.</summary>
public sealed class GrowToTests : IDisposable
{
    private const long KiB = 1 << 10, MiB = 1 << 20;

    private readonly TempFile _temp = new(64 << 10);
    private readonly List<SharedFile> _files = [];

    /// <summary>A filesystem with a fixed amount of free space.</summary>
    private sealed class FakeDisk(long available) : IFreeSpaceProbe
    {
        public int Probe(int fd, out long free, out long size) => Probe(out free, out size);

        public int Probe(string path, out long free, out long size) => Probe(out free, out size);

        private int Probe(out long free, out long size)
        {
            free = available;
            size = 1000 * MiB;
            return 0;
        }
    }

    private SharedFile Share(MmapSettings? settings = null, IFreeSpaceProbe? disk = null)
    {
        settings ??= OwnerTestSettings.Default;
        var file = new SharedFile(_temp.Path, _temp.Path, null, settings, disk is null ? new ResourceBudget(settings) : new ResourceBudget(settings, disk));
        _files.Add(file);
        return file;
    }

    private long Open(SharedFile file, MapOptions? options = null) => file.Open(options ?? new MapOptions(_temp.Path), "client").Id;

    private static T Run<T>(SharedFile file, long handle, MapOperation operation) where T : MapReply =>
        Assert.IsType<T>(file.Execute(handle, operation));

    [Fact]
    public void A_shorter_file_grows_to_the_length_asked_and_every_handle_sees_it()
    {
        var file = Share();
        long a = Open(file), b = Open(file);

        long length = Run<NumberReply>(file, a, new GrowTo(100 * KiB)).Value;

        Assert.Equal(100 * KiB, length);
        Assert.Equal(100 * KiB, new FileInfo(_temp.Path).Length);
        Assert.Equal(100 * KiB, Run<NumberReply>(file, b, Length.Instance).Value);
    }

    [Fact]
    public void A_longer_file_is_left_as_it_was_in_length_and_bytes()
    {
        var file = Share();
        long a = Open(file);
        Run<Done>(file, a, new WriteAt(64 * KiB - 3, [7, 8, 9]));

        long length = Run<NumberReply>(file, a, new GrowTo(10 * KiB)).Value;

        Assert.Equal(64 * KiB, length);
        Assert.Equal(64 * KiB, new FileInfo(_temp.Path).Length);
        Assert.Equal(new byte[] { 7, 8, 9 }, Run<BytesReply>(file, a, new ReadAt(64 * KiB - 3, 3)).Data);
        Assert.Equal(64 * KiB, Run<NumberReply>(file, a, new GrowTo(64 * KiB)).Value); // exactly the length: nothing either
    }

    [Fact]
    public void A_file_cut_from_outside_under_a_longer_map_grows_back_to_the_length_asked_and_takes_the_writes()
    {
        var file = Share();
        long a = Open(file);
        Run<NumberReply>(file, a, new GrowTo(256 * KiB));
        using (var outside = new FileStream(_temp.Path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            outside.SetLength(16 * KiB); // as `: > file` or a truncate from another process would
        }

        long length = Run<NumberReply>(file, a, new GrowTo(128 * KiB)).Value;

        Assert.Equal(128 * KiB, length);
        Assert.Equal(128 * KiB, new FileInfo(_temp.Path).Length);
        Run<Done>(file, a, new WriteAt(128 * KiB - 3, [1, 2, 3]));
        Assert.Equal(new byte[] { 1, 2, 3 }, Run<BytesReply>(file, a, new ReadAt(128 * KiB - 3, 3)).Data);
        // A length the file still backs needs nothing, however far the map reaches past it.
        Assert.Equal(128 * KiB, Run<NumberReply>(file, a, new GrowTo(16 * KiB)).Value);
        Assert.Equal(128 * KiB, new FileInfo(_temp.Path).Length);
    }

    [Fact]
    public void A_handle_that_has_not_followed_a_growth_yet_grows_the_file_to_its_end_and_never_back()
    {
        var file = Share();
        long a = Open(file), pinned = Open(file);
        long other = Open(file, new MapOptions(_temp.Path, Access: MmapAccess.Write)); // a mapping of its own
        Run<LeaseReply>(file, pinned, AcquireLease.Instance); // a's mapping is leased: it follows growth only once released
        Run<Done>(file, other, new Resize(128 * KiB));
        Assert.Equal(64 * KiB, Run<NumberReply>(file, a, Length.Instance).Value);

        long length = Run<NumberReply>(file, a, new GrowTo(100 * KiB)).Value;

        Assert.Equal(128 * KiB, length); // a resize to 100 KiB would have cut the file back from 128 KiB
        Assert.Equal(128 * KiB, new FileInfo(_temp.Path).Length);
    }

    [Fact]
    public void Past_max_file_size_it_is_refused_with_the_error_of_a_resize_and_the_file_is_unchanged()
    {
        var file = Share(OwnerTestSettings.Default with { MaxFileSize = 96 * KiB });
        long a = Open(file);

        var resize = Run<MmapError>(file, a, new Resize(96 * KiB + 1));
        var grow = Run<MmapError>(file, a, new GrowTo(96 * KiB + 1));

        Assert.Equal(MmapErrorCode.LimitExceeded, grow.Code);
        Assert.Equal((resize.Kind, resize.Errno, resize.Code, resize.Message), (grow.Kind, grow.Errno, grow.Code, grow.Message));
        Assert.Equal(64 * KiB, new FileInfo(_temp.Path).Length);
        Assert.Equal(96 * KiB, Run<NumberReply>(file, a, new GrowTo(96 * KiB)).Value); // up to the limit it grows
    }

    [Fact]
    public void Growth_below_the_disk_floor_is_ENOSPC_as_for_a_resize_and_the_file_is_unchanged()
    {
        var settings = OwnerTestSettings.Default with { MinFreeDisk = MinFreeDisk.FromBytes(10 * MiB) };
        var file = Share(settings, new FakeDisk(available: 11 * MiB));
        long a = Open(file);

        var resize = Run<MmapError>(file, a, new Resize(64 * KiB + 2 * MiB));
        var grow = Run<MmapError>(file, a, new GrowTo(64 * KiB + 2 * MiB));

        Assert.Equal(28, grow.Errno);
        Assert.Equal((resize.Kind, resize.Errno, resize.Code, resize.Message), (grow.Kind, grow.Errno, grow.Code, grow.Message));
        Assert.Equal(64 * KiB, new FileInfo(_temp.Path).Length);
        Assert.Equal(64 * KiB + MiB / 2, Run<NumberReply>(file, a, new GrowTo(64 * KiB + MiB / 2)).Value); // above the floor
    }

    [Fact]
    public void A_negative_length_is_refused_as_a_resize_refuses_it()
    {
        var file = Share();
        long a = Open(file);

        var grow = Run<MmapError>(file, a, new GrowTo(-1));

        Assert.Equal(MmapErrorKind.ValueError, grow.Kind);
        Assert.Equal(Run<MmapError>(file, a, new Resize(-1)).Message, grow.Message);
    }

    public void Dispose()
    {
        foreach (var file in _files)
        {
            file.CloseAll();
        }
        _temp.Dispose();
    }
}
