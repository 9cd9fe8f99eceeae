using static MmapActors.Tests.Engine.MmapAssert;

namespace MmapActors.Tests.Engine;

/// <summary>flush (catalogue §3.7) and madvise (§3.8).</summary>
public sealed class MemoryMapFlushMadviseTests : IDisposable
{
    private static readonly int Page = MemoryMap.PageSize;
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    private (MemoryMap Map, string Path) OpenFile(MmapAccess access, int length = 0)
    {
        string path = _files.Create(TestData.Pattern(length == 0 ? 2 * Page : length));
        return (MemoryMap.Open(path, 0, access), path);
    }

    [Theory]
    [InlineData(MmapAccess.Default)]
    [InlineData(MmapAccess.Write)]
    [InlineData(MmapAccess.Read)]
    [InlineData(MmapAccess.Copy)]
    public void Flush_of_the_whole_map_and_of_valid_ranges_succeeds(MmapAccess access)
    {
        var (map, path) = OpenFile(access);
        using var _ = map;
        if (access != MmapAccess.Read)
        {
            map[0] = 1;
        }
        var before = MmapAssert.Snapshot.Take(map, path);

        map.Flush();
        map.Flush(0);
        map.Flush(0, 0);
        map.Flush(0, 1);
        map.Flush(Page, Page);
        map.Flush(2 * Page, 0);

        MmapAssert.Snapshot.Take(map, path).AssertEqual(before);
    }

    [Fact]
    public void Flush_of_a_shared_map_leaves_the_written_data_in_the_file()
    {
        var (map, path) = OpenFile(MmapAccess.Write);
        using var _ = map;
        map.Write("flushed"u8);

        map.Flush();

        Assert.Equal("flushed"u8.ToArray(), File.ReadAllBytes(path)[..7]);
    }

    [Fact]
    public void Flush_of_a_copy_map_never_writes_to_the_file()
    {
        var (map, path) = OpenFile(MmapAccess.Copy);
        var content = File.ReadAllBytes(path);
        using var _ = map;
        map.Write("private"u8);

        map.Flush();
        map.Flush(0, 7);

        Assert.Equal(content, File.ReadAllBytes(path));
    }

    [Theory]
    [InlineData(MmapAccess.Default)]
    [InlineData(MmapAccess.Read)]
    [InlineData(MmapAccess.Copy)]
    public void Flush_with_an_offset_and_no_size_fails_with_ValueError_because_the_size_defaults_to_the_length(MmapAccess access)
    {
        // CPython 3.13: flush(offset) keeps size = len(m), so any offset > 0 is out of range
        var (map, path) = OpenFile(access);
        using var _ = map;

        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E34_FlushOutOfRange, () => map.Flush(Page), path);
        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E34_FlushOutOfRange, () => map.Flush(1), path);
    }

    /// <summary>Ranges outside a two-page map: negative, past the end, or overflowing.</summary>
    public static TheoryData<long, long> FlushRangesOutsideTheMap => new()
    {
        { -1, 0 },
        { 0, -1 },
        { long.MinValue, 1 },
        { 0, 2L * Page + 1 },
        { 1, 2L * Page },
        { 2L * Page + 1, 0 },
        { long.MaxValue, 0 },
        { 0, long.MaxValue },
    };

    [Theory]
    [MemberData(nameof(FlushRangesOutsideTheMap))]
    public void Flush_out_of_range_fails_with_ValueError_even_on_read_and_copy_maps(long offset, long size)
    {
        foreach (var access in new[] { MmapAccess.Write, MmapAccess.Read, MmapAccess.Copy })
        {
            var (map, path) = OpenFile(access);
            using var _ = map;

            AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E34_FlushOutOfRange, () => map.Flush(offset, size), path);
        }
    }

    [Theory]
    [InlineData(MmapAccess.Default)]
    [InlineData(MmapAccess.Write)]
    public void Flush_at_an_unaligned_offset_of_a_writable_shared_map_fails_with_OSError_EINVAL(MmapAccess access)
    {
        var (map, path) = OpenFile(access);
        using var _ = map;

        AssertOSErrorWithoutChange(map, Catalogue.EINVAL, Catalogue.Einval, () => map.Flush(1, 10), path);
        AssertOSErrorWithoutChange(map, Catalogue.EINVAL, Catalogue.Einval, () => map.Flush(Page + 1, 0), path);
    }

    [Fact]
    public void Flush_at_an_unaligned_offset_of_a_shared_anonymous_map_fails_with_OSError_EINVAL()
    {
        using var map = MemoryMap.CreateAnonymous(2 * Page);

        AssertOSErrorWithoutChange(map, Catalogue.EINVAL, Catalogue.Einval, () => map.Flush(1, 10));
    }

    [Theory]
    [InlineData(MmapAccess.Read)]
    [InlineData(MmapAccess.Copy)]
    public void Flush_at_an_unaligned_offset_of_a_read_or_copy_map_is_a_silent_no_op(MmapAccess access)
    {
        var (map, path) = OpenFile(access);
        using var _ = map;

        map.Flush(1, 10);
        map.Flush(Page + 1, 0);
    }

    [Fact]
    public void Flush_on_a_closed_map_fails_with_ValueError_before_the_range_check()
    {
        var (map, _) = OpenFile(MmapAccess.Write);
        map.Close();

        AssertClosed(() => map.Flush());
        AssertClosed(() => map.Flush(Page));
        AssertClosed(() => map.Flush(-1, -1));
        AssertClosed(() => map.Flush(1, 10));
    }

    [Theory]
    [InlineData(MadviseOption.Normal)]
    [InlineData(MadviseOption.Random)]
    [InlineData(MadviseOption.Sequential)]
    [InlineData(MadviseOption.WillNeed)]
    [InlineData(MadviseOption.DontNeed)]
    [InlineData(MadviseOption.DontFork)]
    [InlineData(MadviseOption.DoFork)]
    [InlineData(MadviseOption.DontDump)]
    [InlineData(MadviseOption.DoDump)]
    public void Madvise_with_a_valid_option_and_range_succeeds_and_keeps_a_shared_files_data(MadviseOption option)
    {
        var (map, path) = OpenFile(MmapAccess.Default, 3 * Page);
        using var _ = map;
        map.Seek(5);
        var before = MmapAssert.Snapshot.Take(map, path);

        map.Madvise(option);
        map.Madvise(option, Page);
        map.Madvise(option, 0, Page);
        map.Madvise(option, Page, 0);
        map.Madvise(option, 2 * Page, long.MaxValue - 2 * Page);
        map.Madvise(option, 0, long.MaxValue);

        MmapAssert.Snapshot.Take(map, path).AssertEqual(before);
    }

    [Fact]
    public void Madvise_on_a_read_only_map_succeeds()
    {
        var (map, _) = OpenFile(MmapAccess.Read);
        using var __ = map;

        map.Madvise(MadviseOption.Sequential);
    }

    public static TheoryData<long> MadviseStartsOutsideTheMap => new() { -1, long.MinValue, 2L * Page, 2L * Page + 1, long.MaxValue };

    [Theory]
    [MemberData(nameof(MadviseStartsOutsideTheMap))]
    public void Madvise_with_a_start_outside_the_map_fails_with_ValueError(long start)
    {
        var (map, path) = OpenFile(MmapAccess.Default);
        using var _ = map;

        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E37_MadviseStart, () => map.Madvise(MadviseOption.Normal, start), path);
        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E37_MadviseStart, () => map.Madvise(MadviseOption.Normal, start, -1), path);
        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E37_MadviseStart, () => map.Madvise((MadviseOption)999, start, 10), path);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(long.MinValue)]
    public void Madvise_with_a_negative_length_fails_with_ValueError(long length)
    {
        var (map, path) = OpenFile(MmapAccess.Default);
        using var _ = map;

        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E38_MadviseLength, () => map.Madvise(MadviseOption.Normal, 0, length), path);
        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E38_MadviseLength, () => map.Madvise(MadviseOption.Normal, 1, length), path);
    }

    [Fact]
    public void Madvise_whose_start_plus_length_overflows_fails_with_OverflowError_before_the_kernel_check()
    {
        var (map, path) = OpenFile(MmapAccess.Default);
        using var _ = map;

        AssertFailsWithoutChange(map, MmapErrorKind.OverflowError, Catalogue.E39_MadviseTooLarge,
            () => map.Madvise(MadviseOption.Normal, Page, long.MaxValue), path);
        AssertFailsWithoutChange(map, MmapErrorKind.OverflowError, Catalogue.E39_MadviseTooLarge,
            () => map.Madvise(MadviseOption.Normal, 1, long.MaxValue), path);
        AssertFailsWithoutChange(map, MmapErrorKind.OverflowError, Catalogue.E39_MadviseTooLarge,
            () => map.Madvise((MadviseOption)999, 1, long.MaxValue), path);
    }

    [Fact]
    public void Madvise_at_an_unaligned_start_fails_with_OSError_EINVAL()
    {
        var (map, path) = OpenFile(MmapAccess.Default);
        using var _ = map;

        AssertOSErrorWithoutChange(map, Catalogue.EINVAL, Catalogue.Einval, () => map.Madvise(MadviseOption.Normal, 1), path);
        AssertOSErrorWithoutChange(map, Catalogue.EINVAL, Catalogue.Einval, () => map.Madvise(MadviseOption.Normal, Page + 1, 10), path);
    }

    [Fact]
    public void Madvise_with_an_unknown_option_fails_with_OSError_EINVAL()
    {
        var (map, path) = OpenFile(MmapAccess.Default);
        using var _ = map;

        AssertOSErrorWithoutChange(map, Catalogue.EINVAL, Catalogue.Einval, () => map.Madvise((MadviseOption)999), path);
    }

    [Fact]
    public void Madvise_hwpoison_is_refused_with_PermissionError_as_a_documented_deviation()
    {
        // CPython passes MADV_HWPOISON to the kernel, whose later SIGBUS no .NET code can catch.
        var (map, path) = OpenFile(MmapAccess.Default);
        using var _ = map;

        var error = AssertOSErrorWithoutChange(map, 1, "[Errno 1] Operation not permitted", () => map.Madvise(MadviseOption.HwPoison), path);

        Assert.Equal("PermissionError", error.PythonTypeName);
    }

    [Fact]
    public void Madvise_on_a_closed_map_fails_with_ValueError_before_the_argument_checks()
    {
        var (map, _) = OpenFile(MmapAccess.Default);
        map.Close();

        AssertClosed(() => map.Madvise(MadviseOption.Normal));
        AssertClosed(() => map.Madvise(MadviseOption.Normal, -1));
        AssertClosed(() => map.Madvise((MadviseOption)999, 0, -1));
    }
}
