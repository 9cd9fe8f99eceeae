using static MmapActors.Tests.Engine.MmapAssert;

namespace MmapActors.Tests.Engine;

/// <summary>resize(newsize): success semantics and the check order BufferError → trackfd → access → range (catalogue §3.10).</summary>
public sealed class MemoryMapResizeTests : IDisposable
{
    private static readonly int Page = MemoryMap.PageSize;
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Growing_keeps_the_data_zero_fills_the_growth_and_extends_the_file()
    {
        var content = TestData.Pattern(1000);
        string path = _files.Create(content);
        using var map = MemoryMap.Open(path);

        map.Resize(3 * Page);

        Assert.Equal(3 * Page, map.Length);
        var expected = new byte[3 * Page];
        content.CopyTo(expected, 0);
        Assert.Equal(expected, map.ToArray());
        Assert.Equal(expected, File.ReadAllBytes(path));
        Assert.Equal(3 * Page, map.Size());
    }

    [Fact]
    public void Shrinking_keeps_the_prefix_and_truncates_the_file()
    {
        var content = TestData.Pattern(3 * Page);
        string path = _files.Create(content);
        using var map = MemoryMap.Open(path);

        map.Resize(512);

        Assert.Equal(512, map.Length);
        Assert.Equal(content[..512], map.ToArray());
        Assert.Equal(content[..512], File.ReadAllBytes(path));
        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E29_SeekOutOfRange, () => map.Seek(513));
    }

    [Fact]
    public void Resized_map_is_fully_usable_for_reads_and_writes_in_the_new_range()
    {
        string path = _files.Create(TestData.Pattern(10));
        using var map = MemoryMap.Open(path, 0, MmapAccess.Write);
        map.Resize(2 * Page);

        map.Seek(-3, SeekOrigin.End);
        map.Write("end"u8);

        Assert.Equal("end"u8.ToArray(), File.ReadAllBytes(path)[^3..]);
        Assert.Equal(2 * Page - 3, map.Find("end"u8, 0));
    }

    [Fact]
    public void Resize_of_an_offset_map_sets_the_file_length_to_offset_plus_the_new_size()
    {
        var content = TestData.Pattern(2 * Page);
        string path = _files.Create(content);
        using var map = MemoryMap.Open(path, Page, MmapAccess.Default, Page);

        map.Resize(512);

        Assert.Equal(512, map.Length);
        Assert.Equal(content[Page..(Page + 512)], map.ToArray());
        Assert.Equal(Page + 512, new FileInfo(path).Length);
        Assert.Equal(Page + 512, map.Size());
        Assert.Equal(content[..(Page + 512)], File.ReadAllBytes(path));
    }

    [Fact]
    public void Growing_an_offset_map_zero_fills_and_sets_the_file_length_to_offset_plus_the_new_size()
    {
        var content = TestData.Pattern(Page + 100);
        string path = _files.Create(content);
        using var map = MemoryMap.Open(path, 0, MmapAccess.Write, Page);

        map.Resize(2 * Page);

        var expectedMap = new byte[2 * Page];
        content.AsSpan(Page).CopyTo(expectedMap);
        Assert.Equal(expectedMap, map.ToArray());
        Assert.Equal(3 * Page, new FileInfo(path).Length);
        Assert.Equal(content, File.ReadAllBytes(path)[..(Page + 100)]);
        Assert.Equal(3 * Page, map.Size());
    }

    [Fact]
    public void Resize_when_the_file_cannot_be_truncated_fails_with_the_OSError_and_changes_nothing()
    {
        // E48: a private map of a read-only descriptor keeps ACCESS_DEFAULT, so it is resizable, but
        // ftruncate(2) refuses a descriptor not open for writing with EINVAL
        string path = _files.Create(TestData.Pattern(100));
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        using var map = MemoryMap.Open(handle, 0, MapFlags.Private, MapProtection.Read | MapProtection.Write);
        Assert.Equal(MmapAccess.Default, map.Access);
        map[0] = 1;

        AssertOSErrorWithoutChange(map, Catalogue.EINVAL, Catalogue.Einval, () => map.Resize(200), path);
        AssertOSErrorWithoutChange(map, Catalogue.EINVAL, Catalogue.Einval, () => map.Resize(50), path);
    }

    [Fact]
    public void Resize_of_a_map_shorter_than_the_file_drops_the_files_tail()
    {
        var content = TestData.Pattern(3 * Page);
        string path = _files.Create(content);
        using var map = MemoryMap.Open(path, 100);

        map.Resize(200);

        Assert.Equal(200, new FileInfo(path).Length);
        Assert.Equal(content[..200], map.ToArray());
        Assert.Equal(content[..200], File.ReadAllBytes(path));
    }

    [Fact]
    public void Resize_leaves_the_cursor_alone_even_past_the_new_end()
    {
        string path = _files.Create(TestData.Pattern(100));
        using var map = MemoryMap.Open(path);
        map.Seek(80);

        map.Resize(50);

        Assert.Equal(80, map.Tell());
        Assert.Equal("<mmap.mmap closed=False, access=ACCESS_DEFAULT, length=50, pos=80, offset=0>", map.ToString());
    }

    [Fact]
    public void After_shrinking_below_the_cursor_reads_return_empty_and_byte_writes_fail()
    {
        // CPython's test_resize_past_pos and catalogue §4.6
        var content = TestData.Pattern(100);
        string path = _files.Create(content);
        using var map = MemoryMap.Open(path);
        map.Seek(80);
        map.Resize(50);

        Assert.Empty(map.Read());
        Assert.Empty(map.Read(5));
        Assert.Empty(map.ReadLine());
        Assert.Equal(0, map.Read(new byte[5]));
        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E20_ReadByte, () => map.ReadByte(), path);
        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E25_WriteByte, () => map.WriteByte(1), path);
        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E23_DataOutOfRange, () => map.Write("x"u8), path);
        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E23_DataOutOfRange, () => map.Write([]), path);
        Assert.Equal(80, map.Tell());
        Assert.Equal(content[..50], map.ToArray());
    }

    [Fact]
    public void Private_default_file_map_is_resizable_and_the_file_follows_while_writes_stay_private()
    {
        var content = TestData.Pattern(100);
        string path = _files.Create(content);
        using var map = MemoryMap.Open(path, 0, MapFlags.Private, MapProtection.Read | MapProtection.Write);
        map.Write("private"u8);

        map.Resize(Page);

        Assert.Equal(Page, new FileInfo(path).Length);
        Assert.Equal("private"u8.ToArray(), map.GetSlice(0, 7));
        var expectedFile = new byte[Page];
        content.CopyTo(expectedFile, 0);
        Assert.Equal(expectedFile, File.ReadAllBytes(path));
    }

    [Fact]
    public void Private_anonymous_map_grows_with_zeros_and_keeps_its_data()
    {
        using var map = MemoryMap.CreateAnonymous(100, MapFlags.Private, MapProtection.Read | MapProtection.Write);
        var content = TestData.Pattern(100);
        map.Write(content);

        map.Resize(3 * Page);

        var expected = new byte[3 * Page];
        content.CopyTo(expected, 0);
        Assert.Equal(expected, map.ToArray());
    }

    [Fact]
    public void Shared_anonymous_map_can_shrink()
    {
        using var map = MemoryMap.CreateAnonymous(2 * Page);
        var content = TestData.Pattern(2 * Page);
        map.Write(content);

        map.Resize(100);

        Assert.Equal(content[..100], map.ToArray());
    }

    [Fact]
    public void Growing_a_shared_anonymous_map_fails_with_ValueError_as_in_CPython_3_15()
    {
        // CPython 3.13 accepts this and dies of SIGBUS on the new pages; the engine takes gh-138204's ValueError.
        using var map = MemoryMap.CreateAnonymous(100);
        map.Write(TestData.Pattern(100));

        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E47_ExpandSharedAnonymous, () => map.Resize(101));
    }

    [Fact]
    public void Resize_to_zero_fails_with_OSError_EINVAL_and_leaves_map_and_file_intact()
    {
        // CPython truncates the file first and then crashes on access; the engine fails before truncating (deviation D1).
        string path = _files.Create(TestData.Pattern(100));
        using var map = MemoryMap.Open(path);

        AssertOSErrorWithoutChange(map, Catalogue.EINVAL, Catalogue.Einval, () => map.Resize(0), path);
    }

    [Fact]
    public void Resize_to_zero_of_an_anonymous_map_fails_with_OSError_EINVAL()
    {
        using var map = MemoryMap.CreateAnonymous(100, MapFlags.Private, MapProtection.Read | MapProtection.Write);

        AssertOSErrorWithoutChange(map, Catalogue.EINVAL, Catalogue.Einval, () => map.Resize(0));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(long.MinValue)]
    public void Resize_to_a_negative_size_fails_with_ValueError(long newSize)
    {
        string path = _files.Create(TestData.Pattern(100));
        using var map = MemoryMap.Open(path);

        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E46_NewSize, () => map.Resize(newSize), path);
    }

    [Fact]
    public void Resize_whose_offset_plus_size_overflows_fails_with_ValueError()
    {
        string path = _files.Create(TestData.Pattern(2 * Page));
        using var map = MemoryMap.Open(path, 0, MmapAccess.Default, Page);

        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E46_NewSize, () => map.Resize(long.MaxValue), path);
        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E46_NewSize, () => map.Resize(long.MaxValue - Page + 1), path);
    }

    [Theory]
    [InlineData(MmapAccess.Read)]
    [InlineData(MmapAccess.Copy)]
    public void Resize_of_a_read_only_or_copy_map_fails_with_TypeError_before_the_range_check(MmapAccess access)
    {
        string path = _files.Create(TestData.Pattern(100));
        using var map = MemoryMap.Open(path, 0, access);

        AssertFailsWithoutChange(map, MmapErrorKind.TypeError, Catalogue.E45_ResizeReadOnly, () => map.Resize(200), path);
        AssertFailsWithoutChange(map, MmapErrorKind.TypeError, Catalogue.E45_ResizeReadOnly, () => map.Resize(-1), path);
        AssertFailsWithoutChange(map, MmapErrorKind.TypeError, Catalogue.E45_ResizeReadOnly, () => map.Resize(0), path);
    }

    [Fact]
    public void Resize_of_a_read_protection_map_fails_with_TypeError()
    {
        using var map = MemoryMap.CreateAnonymous(100, MapFlags.Private, MapProtection.Read);

        AssertFailsWithoutChange(map, MmapErrorKind.TypeError, Catalogue.E45_ResizeReadOnly, () => map.Resize(50));
    }

    [Fact]
    public void Resize_without_fd_tracking_fails_with_ValueError_before_the_access_check()
    {
        string path = _files.Create(TestData.Pattern(100));
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        using var writable = MemoryMap.Open(handle, trackFd: false);
        using var copy = MemoryMap.Open(handle, 0, MmapAccess.Copy, trackFd: false);

        AssertFailsWithoutChange(writable, MmapErrorKind.ValueError, Catalogue.E44_ResizeTrackFd, () => writable.Resize(50), path);
        AssertFailsWithoutChange(copy, MmapErrorKind.ValueError, Catalogue.E44_ResizeTrackFd, () => copy.Resize(-1), path);
        Assert.Equal(100, new FileInfo(path).Length);
    }

    [Fact]
    public void Resize_of_an_anonymous_map_without_fd_tracking_fails_with_ValueError()
    {
        // CPython's test_trackfd_neg1
        using var map = MemoryMap.FromFileDescriptor(-1, 100, trackFd: false);
        map[0] = 7;

        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E44_ResizeTrackFd, () => map.Resize(50));
        Assert.Equal(7, map[0]);
    }

    [Fact]
    public void Resize_while_leased_fails_with_BufferError_before_every_other_check()
    {
        string path = _files.Create(TestData.Pattern(100));
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        using var readOnly = MemoryMap.Open(path, 0, MmapAccess.Read);
        using var untracked = MemoryMap.Open(handle, 0, MmapAccess.Copy, trackFd: false);
        using var writable = MemoryMap.Open(path);

        foreach (var map in new[] { readOnly, untracked, writable })
        {
            using (map.Lease())
            {
                AssertFailsWithoutChange(map, MmapErrorKind.BufferError, Catalogue.E43_ResizeExported, () => map.Resize(-1), path);
                AssertFailsWithoutChange(map, MmapErrorKind.BufferError, Catalogue.E43_ResizeExported, () => map.Resize(50), path);
            }
        }

        writable.Resize(50);
        Assert.Equal(50, writable.Length);
    }

    [Fact]
    public void Resize_on_a_closed_map_fails_with_ValueError()
    {
        string path = _files.Create(TestData.Pattern(100));
        var map = MemoryMap.Open(path);
        map.Close();

        AssertClosed(() => map.Resize(50));
        AssertClosed(() => map.Resize(-1));
        Assert.Equal(100, new FileInfo(path).Length);
    }
}
