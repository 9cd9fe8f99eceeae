using System.Runtime.CompilerServices;

namespace MmapActors.Tests.Engine;

/// <summary>
/// Every deliberate deviation of <see cref="MemoryMap"/> from CPython 3.13's mmap (docs/conformance.md, D1..D7).
/// Most of them replace a SIGBUS/SIGSEGV of CPython with an exception. A SIGBUS kills the whole test host, so
/// each test that passes here is a proof that the process survives.
/// </summary>
public sealed class DeviationTests : IDisposable
{
    private static readonly int Page = MemoryMap.PageSize;

    private readonly string _dir = Directory.CreateTempSubdirectory("mmap-deviations-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // ---- D1: resize(0) on a file map ------------------------------------------------------------------------

    [Fact]
    public void Resize_to_zero_on_a_file_map_raises_OSError_22_and_truncates_nothing()
    {
        string path = NewFile(Pattern(2 * Page));
        using var map = MemoryMap.Open(path);
        map.Seek(7);

        var e = Assert.Throws<MmapException>(() => map.Resize(0));

        AssertError(e, MmapErrorKind.OSError, "[Errno 22] Invalid argument", 22);
        Assert.Equal("OSError", e.PythonTypeName);
        Assert.Equal(2 * Page, new FileInfo(path).Length);
        Assert.Equal(Pattern(2 * Page), File.ReadAllBytes(path));
        Assert.Equal(2 * Page, map.Length);
        Assert.Equal(7, map.Tell());
        Assert.Equal(Pattern(2 * Page), map.ToArray());
    }

    [Fact]
    public void A_file_map_stays_readable_writable_and_resizable_after_a_refused_resize_to_zero()
    {
        string path = NewFile(Pattern(2 * Page));
        using var map = MemoryMap.Open(path);
        Assert.Throws<MmapException>(() => map.Resize(0));

        Assert.Equal(Pattern(2 * Page)[..Page], map.Read(Page));
        Assert.Equal(5, map.Write("after"u8));
        map[-1] = 0x42;
        map.Flush();
        byte[] onDisk = File.ReadAllBytes(path);
        Assert.Equal("after"u8.ToArray(), onDisk[Page..(Page + 5)]);
        Assert.Equal(0x42, onDisk[^1]);

        map.Resize(Page);
        Assert.Equal(Page, new FileInfo(path).Length);
        map.Resize(3 * Page);
        Assert.Equal(3 * Page, new FileInfo(path).Length);
        Assert.Equal(0, map[3 * Page - 1]);
    }

    [Fact]
    public void Resize_to_zero_on_an_offset_map_keeps_the_file_beyond_the_offset()
    {
        byte[] data = Pattern(3 * Page);
        string path = NewFile(data);
        using var map = MemoryMap.Open(path, offset: Page);

        var e = Assert.Throws<MmapException>(() => map.Resize(0));

        AssertError(e, MmapErrorKind.OSError, "[Errno 22] Invalid argument", 22);
        Assert.Equal(data, File.ReadAllBytes(path));
        Assert.Equal(data[Page..], map.ToArray());
    }

    // ---- D2: the file is truncated from outside while mapped -------------------------------------------------

    /// <summary>Each touches at least one map byte on a page wholly past a file truncated to 100 bytes.</summary>
    private static readonly Dictionary<string, Action<MemoryMap>> AccessesPastTheEnd = new()
    {
        ["Read(n) across the last backed page"] = m => { m.Seek(Page - 1); m.Read(2); },
        ["Read() to the end"] = m => { m.Seek(0); m.Read(); },
        ["Read(span)"] = m => { m.Seek(Page); m.Read(new byte[8].AsSpan()); },
        ["ReadAt"] = m => m.ReadAt(Page, new byte[8]),
        ["ReadByte"] = m => { m.Seek(2 * Page); m.ReadByte(); },
        ["ReadLine"] = m => { m.Seek(Page); m.ReadLine(); },
        ["Write"] = m => { m.Seek(Page); m.Write([1]); },
        ["WriteAt"] = m => m.WriteAt(2 * Page, [1, 2]),
        ["WriteByte"] = m => { m.Seek(Page); m.WriteByte(1); },
        ["indexer get"] = m => _ = m[Page],
        ["indexer get with a negative index"] = m => _ = m[-1],
        ["indexer set"] = m => m[Page] = 1,
        ["GetSlice"] = m => m.GetSlice(Page - 1, Page + 1),
        ["GetSlice with a step"] = m => m.GetSlice(0, null, Page),
        ["GetSlice with a negative step"] = m => m.GetSlice(null, null, -1),
        ["SetSlice"] = m => m.SetSlice(Page, Page + 2, null, [1, 2]),
        ["SetSlice with a step"] = m => m.SetSlice(0, null, Page, [1, 2, 3]),
        ["Find"] = m => m.Find([0xFF, 0xFF], 0),
        ["Find from the cursor"] = m => { m.Seek(Page); m.Find([0xFF]); },
        ["RFind"] = m => m.RFind([0xFF, 0xFF], 0),
        ["Contains"] = m => m.Contains([0xFF]),
        ["ToArray"] = m => m.ToArray(),
        ["Move into a lost page"] = m => m.Move(Page, 0, 10),
        ["Move out of a lost page"] = m => m.Move(0, Page, 10),
    };

    public static TheoryData<string> AccessPastTheEnd() => NamesOf(AccessesPastTheEnd);

    [Theory]
    [MemberData(nameof(AccessPastTheEnd))]
    public void Touching_a_page_past_an_outside_truncation_raises_OSError_5_instead_of_SIGBUS(string access)
    {
        string path = NewFile(Pattern(3 * Page));
        using var map = MemoryMap.Open(path);
        TruncateWithRandomAccess(path, 100);

        var e = Assert.Throws<MmapException>(() => AccessesPastTheEnd[access](map));

        AssertError(e, MmapErrorKind.OSError, TruncatedMessage(100), 5);
        Assert.Equal("OSError", e.PythonTypeName);
        Assert.Equal(100, new FileInfo(path).Length);
        Assert.Equal(Pattern(100), map.GetSlice(0, 100));
        // Nothing was written: once the file grows back, the lost pages read as zeros.
        TruncateWithRandomAccess(path, 3 * Page);
        Assert.Equal([.. Pattern(100), .. new byte[3 * Page - 100]], map.ToArray());
    }

    [Theory]
    [InlineData("RandomAccess.SetLength")]
    [InlineData("FileStream.SetLength")]
    public void Bytes_on_pages_still_backed_stay_readable_and_writable_after_an_outside_truncation(string how)
    {
        string path = NewFile(Pattern(3 * Page));
        using var map = MemoryMap.Open(path);
        Truncate(how, path, 100);

        Assert.Equal(Pattern(100), map.GetSlice(0, 100));
        Assert.Equal(Pattern(100)[42], map[42]);
        var page = new byte[Page];
        Assert.Equal(Page, map.ReadAt(0, page));
        Assert.Equal(Pattern(100), page[..100]);
        Assert.All(page[100..], b => Assert.Equal(0, b)); // the kernel zeroes the last page past the end of file
        Assert.Equal(50, map.Find(Pattern(100)[50..60], 0, Page));
        Assert.Equal(50, map.RFind(Pattern(100)[50..60], 0, Page));
        map.Seek(Page - 1);
        Assert.Equal(0, map.ReadByte());

        map.WriteAt(0, [9, 9]);
        map.Move(2, 0, 2);
        Assert.Equal([9, 9, 9, 9], map.GetSlice(0, 4));
        Assert.Equal([9, 9, 9, 9], File.ReadAllBytes(path)[..4]);
        Assert.Equal(100, new FileInfo(path).Length);

        var e = Assert.Throws<MmapException>(() => map[Page]);
        AssertError(e, MmapErrorKind.OSError, TruncatedMessage(100), 5);
    }

    [Theory]
    [InlineData("RandomAccess.SetLength")]
    [InlineData("FileStream.SetLength")]
    public void Access_past_the_old_end_works_again_once_the_file_grows_back(string how)
    {
        string path = NewFile(Pattern(3 * Page));
        using var map = MemoryMap.Open(path);
        Truncate(how, path, 100);
        Assert.Throws<MmapException>(() => map[Page]);

        Truncate(how, path, 2 * Page);
        Assert.Equal(0, map[Page]);
        var e = Assert.Throws<MmapException>(() => map[2 * Page]);
        AssertError(e, MmapErrorKind.OSError, TruncatedMessage(2 * Page), 5);

        Truncate(how, path, 3 * Page);
        map[2 * Page] = 7;
        map.Flush();
        Assert.Equal(7, File.ReadAllBytes(path)[2 * Page]);
        Assert.Equal([.. Pattern(100), .. new byte[2 * Page - 100], 7, .. new byte[Page - 1]], map.ToArray());
    }

    [Fact]
    public void A_refused_read_or_write_leaves_the_cursor_where_it_was()
    {
        string path = NewFile(Pattern(3 * Page));
        using var map = MemoryMap.Open(path);
        map.Seek(Page + 3);
        TruncateWithRandomAccess(path, 100);

        Assert.Throws<MmapException>(() => map.Read(10));
        Assert.Throws<MmapException>(() => map.Read());
        Assert.Throws<MmapException>(() => map.Read(new byte[10].AsSpan()));
        Assert.Throws<MmapException>(() => map.ReadByte());
        Assert.Throws<MmapException>(() => map.ReadLine());
        Assert.Throws<MmapException>(() => map.Write([1, 2]));
        Assert.Throws<MmapException>(() => map.WriteByte(1));
        Assert.Throws<MmapException>(() => map.Find([1]));
        Assert.Equal(Page + 3, map.Tell());
    }

    [Fact]
    public void Enumerating_a_truncated_map_yields_the_backed_page_then_raises_OSError_5()
    {
        string path = NewFile(Pattern(3 * Page));
        using var map = MemoryMap.Open(path);
        TruncateWithFileStream(path, 100);
        var seen = new List<byte>();

        var e = Assert.Throws<MmapException>(() =>
        {
            foreach (byte b in map)
            {
                seen.Add(b);
            }
        });

        AssertError(e, MmapErrorKind.OSError, TruncatedMessage(100), 5);
        Assert.Equal([.. Pattern(100), .. new byte[Page - 100]], seen);
    }

    [Fact]
    public void An_offset_map_checks_truncation_against_its_own_offset()
    {
        byte[] data = Pattern(4 * Page);
        string path = NewFile(data);
        using var map = MemoryMap.Open(path, offset: Page);
        Assert.Equal(3 * Page, map.Length);

        TruncateWithRandomAccess(path, Page + 100);
        Assert.Equal(data[Page..(Page + 100)], map.GetSlice(0, 100));
        var e = Assert.Throws<MmapException>(() => map.GetSlice(Page - 1, Page + 1));
        AssertError(e, MmapErrorKind.OSError, TruncatedMessage(Page + 100), 5);

        // Below the offset not even the map's first byte is backed.
        TruncateWithFileStream(path, 100);
        e = Assert.Throws<MmapException>(() => map[0]);
        AssertError(e, MmapErrorKind.OSError, TruncatedMessage(100), 5);
        Assert.Throws<MmapException>(() => map.WriteAt(0, [1]));

        TruncateWithRandomAccess(path, 4 * Page);
        Assert.Equal(new byte[3 * Page], map.ToArray());
        map.WriteAt(Page, [5, 6]);
        Assert.Equal([5, 6], File.ReadAllBytes(path)[(2 * Page)..(2 * Page + 2)]);
    }

    [Fact]
    public void A_copy_on_write_map_refuses_truncated_pages_even_those_it_already_copied()
    {
        byte[] data = Pattern(3 * Page);
        string path = NewFile(data);
        using var map = MemoryMap.Open(path, access: MmapAccess.Copy);
        map[Page] = 0xEE; // this page is now a private copy

        TruncateWithRandomAccess(path, 100);
        var e = Assert.Throws<MmapException>(() => map[Page]);
        AssertError(e, MmapErrorKind.OSError, TruncatedMessage(100), 5);
        Assert.Throws<MmapException>(() => map[2 * Page]);
        Assert.Throws<MmapException>(() => map.ToArray());
        Assert.Equal(data[5], map[5]);
        map[5] = 1;
        Assert.Equal(1, map[5]);
        Assert.Equal(data[..100], File.ReadAllBytes(path)); // copy-on-write: the file never sees a write

        TruncateWithFileStream(path, 3 * Page);
        Assert.Equal(0, map[2 * Page]);
        map[2 * Page] = 3;
        Assert.Equal(3, map[2 * Page]);
        Assert.Equal(0, File.ReadAllBytes(path)[2 * Page]);
    }

    /// <summary>D2 and D7: trackfd=False keeps no descriptor in CPython; here a private one serves the truncation check.</summary>
    [Fact]
    public void A_map_opened_with_trackFd_false_keeps_a_private_descriptor_to_detect_truncation()
    {
        byte[] data = Pattern(3 * Page);
        string path = NewFile(data);
        MemoryMap map;
        using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite))
        {
            map = MemoryMap.Open(handle, trackFd: false);
        }
        using (map)
        {
            // What trackfd=False changes in CPython 3.13 is unchanged: no size(), no resize().
            AssertError(Assert.Throws<MmapException>(() => map.Size()), MmapErrorKind.OSError, "[Errno 9] Bad file descriptor", 9);
            AssertError(Assert.Throws<MmapException>(() => map.Resize(Page)), MmapErrorKind.ValueError, "mmap can't resize with trackfd=False.");
            Assert.Equal(data, map.ToArray());

            TruncateWithFileStream(path, 100);
            var e = Assert.Throws<MmapException>(() => map.Read(new byte[2 * Page].AsSpan()));
            AssertError(e, MmapErrorKind.OSError, TruncatedMessage(100), 5);
            Assert.Equal(data[..100], map.GetSlice(0, 100));

            TruncateWithRandomAccess(path, 3 * Page);
            map.WriteAt(2 * Page, [4]);
            Assert.Equal(4, File.ReadAllBytes(path)[2 * Page]);
        }
    }

    // ---- D3: growing a shared anonymous map ------------------------------------------------------------------

    private static readonly Dictionary<string, Func<long, MemoryMap>> SharedAnonymous = new()
    {
        ["CreateAnonymous(length)"] = length => MemoryMap.CreateAnonymous(length),
        ["access Write"] = length => MemoryMap.CreateAnonymous(length, MmapAccess.Write),
        ["flags Shared"] = length => MemoryMap.CreateAnonymous(length, MapFlags.Shared, MapProtection.Read | MapProtection.Write),
        ["FromFileDescriptor(-1)"] = length => MemoryMap.FromFileDescriptor(-1, length),
    };

    public static TheoryData<string> SharedAnonymousKinds() => NamesOf(SharedAnonymous);

    [Theory]
    [MemberData(nameof(SharedAnonymousKinds))]
    public void Growing_a_shared_anonymous_map_raises_ValueError_and_changes_nothing(string kind)
    {
        using var map = SharedAnonymous[kind](2 * Page);
        map.WriteAt(0, Pattern(2 * Page));
        map.Seek(5);

        var e = Assert.Throws<MmapException>(() => map.Resize(2 * Page + 1));

        AssertError(e, MmapErrorKind.ValueError, "mmap: can't expand a shared anonymous mapping on Linux");
        Assert.Equal(2 * Page, map.Length);
        Assert.Equal(5, map.Tell());
        Assert.Equal(Pattern(2 * Page), map.ToArray());
        map[-1] = 1;
        Assert.Equal(1, map[2 * Page - 1]);
    }

    [Fact]
    public void A_shared_anonymous_map_can_shrink_but_not_grow_back()
    {
        using var map = MemoryMap.CreateAnonymous(3 * Page);
        map.WriteAt(0, Pattern(3 * Page));

        map.Resize(Page + 10);

        Assert.Equal(Page + 10, map.Length);
        Assert.Equal(Pattern(Page + 10), map.ToArray());
        var e = Assert.Throws<MmapException>(() => map.Resize(2 * Page));
        AssertError(e, MmapErrorKind.ValueError, "mmap: can't expand a shared anonymous mapping on Linux");
        Assert.Equal(Page + 10, map.Length);
        map.Resize(Page + 10); // not a growth
        Assert.Equal(Pattern(Page + 10), map.ToArray());
    }

    [Fact]
    public void Growing_a_private_anonymous_map_keeps_the_data_and_zero_fills_the_growth()
    {
        using var map = MemoryMap.CreateAnonymous(Page, MapFlags.Private, MapProtection.Read | MapProtection.Write);
        map.WriteAt(0, Pattern(Page));
        map.Seek(9);

        map.Resize(3 * Page + 5);

        Assert.Equal(3 * Page + 5, map.Length);
        Assert.Equal(9, map.Tell());
        Assert.Equal([.. Pattern(Page), .. new byte[2 * Page + 5]], map.ToArray());
        map[-1] = 0x77;
        Assert.Equal(0x77, map[3 * Page + 4]);
        map.Resize(Page);
        Assert.Equal(Pattern(Page), map.ToArray());
    }

    // ---- D4: madvise options that poison or guard pages ------------------------------------------------------

    [Theory]
    [InlineData(100)] // MADV_HWPOISON
    [InlineData(101)] // MADV_SOFT_OFFLINE
    [InlineData(102)] // MADV_GUARD_INSTALL
    public void Madvise_options_that_poison_or_guard_pages_raise_PermissionError_and_do_nothing(int option)
    {
        string path = NewFile(Pattern(2 * Page));
        using var file = MemoryMap.Open(path);
        using var anonymous = MemoryMap.CreateAnonymous(2 * Page);
        anonymous.WriteAt(0, Pattern(2 * Page));

        foreach (var map in new[] { file, anonymous })
        {
            var advice = (MadviseOption)option;
            foreach (var call in new Action[] { () => map.Madvise(advice), () => map.Madvise(advice, Page), () => map.Madvise(advice, 0, Page) })
            {
                var e = Assert.Throws<MmapException>(call);
                AssertError(e, MmapErrorKind.OSError, "[Errno 1] Operation not permitted", 1);
                Assert.Equal("PermissionError", e.PythonTypeName);
            }
            // The range checks CPython makes before calling madvise(2) still come first.
            AssertError(Assert.Throws<MmapException>(() => map.Madvise(advice, 2 * Page)), MmapErrorKind.ValueError, "madvise start out of bounds");

            Assert.Equal(Pattern(2 * Page), map.ToArray());
            map[Page] = 0;
            Assert.Equal(0, map[Page]);
        }
    }

    // ---- D5: flags and prot are sanitised --------------------------------------------------------------------

    [Theory]
    [InlineData(0x08, "0x8")] // MAP_DROPPABLE
    [InlineData(0x10, "0x10")] // MAP_FIXED
    [InlineData(0x100, "0x100")] // MAP_GROWSDOWN
    [InlineData(0x40000, "0x40000")] // MAP_HUGETLB
    [InlineData(0x100000, "0x100000")] // MAP_FIXED_NOREPLACE
    [InlineData(0x10 | 0x100000, "0x100010")]
    public void Unsupported_mmap_flags_raise_ValueError_before_anything_is_mapped(int extra, string hex)
    {
        string path = NewFile(Pattern(Page));
        var flags = MapFlags.Shared | (MapFlags)extra;
        string message = $"mmap flags {hex} are not supported by MmapActors";

        AssertError(Assert.Throws<MmapException>(() => MemoryMap.CreateAnonymous(Page, flags, MapProtection.Read | MapProtection.Write)),
            MmapErrorKind.ValueError, message);
        AssertError(Assert.Throws<MmapException>(() => MemoryMap.Open(path, 0, flags, MapProtection.Read | MapProtection.Write)),
            MmapErrorKind.ValueError, message);
        AssertError(Assert.Throws<MmapException>(() => MemoryMap.FromFileDescriptor(-1, Page, flags)),
            MmapErrorKind.ValueError, message);
    }

    [Fact]
    public void An_explicit_MAP_ANONYMOUS_with_descriptor_minus_one_is_accepted_as_CPython_accepts_it()
    {
        // CPython's test_find_does_not_access_beyond_buffer: mmap.mmap(-1, n, flags=MAP_PRIVATE | MAP_ANONYMOUS).
        using var shared = MemoryMap.FromFileDescriptor(-1, 2 * Page, MapFlags.Shared | MapFlags.Anonymous);
        using var @private = MemoryMap.CreateAnonymous(2 * Page, MapFlags.Private | MapFlags.Anonymous, MapProtection.Read | MapProtection.Write);

        foreach (var map in new[] { shared, @private })
        {
            Assert.True(map.IsAnonymous);
            map.WriteAt(Page - 1, "ab"u8);
            Assert.Equal(Page - 1, map.Find("ab"u8, 0));
            Assert.Equal(-1, map.Find("abc"u8, 0));
        }
        Assert.False(shared.IsPrivate);
        Assert.True(@private.IsPrivate);
    }

    [Fact]
    public void MAP_ANONYMOUS_with_a_file_descriptor_is_refused_because_it_would_ignore_the_file()
    {
        string path = NewFile(Pattern(Page));

        AssertError(Assert.Throws<MmapException>(() => MemoryMap.Open(path, 0, MapFlags.Shared | MapFlags.Anonymous, MapProtection.Read)),
            MmapErrorKind.ValueError, "mmap flags 0x20 are not supported by MmapActors");
    }

    [Fact]
    public void An_invalid_SafeFileHandle_is_a_bad_descriptor_not_anonymous_memory()
    {
        using var invalid = new Microsoft.Win32.SafeHandles.SafeFileHandle(-1, ownsHandle: false);

        var e = Assert.Throws<MmapException>(() => MemoryMap.Open(invalid, Page));

        AssertError(e, MmapErrorKind.OSError, "[Errno 9] Bad file descriptor", 9);
    }

    [Fact]
    public void Shared_validate_flags_give_a_shared_map_not_a_private_one()
    {
        string path = Path.Combine(Path.GetTempPath(), $"validate-{Guid.NewGuid():N}.bin");
        File.WriteAllBytes(path, new byte[Page]);
        try
        {
            using (var map = MemoryMap.Open(path, 0, MapFlags.Shared | MapFlags.Private, MapProtection.Read | MapProtection.Write))
            {
                Assert.False(map.IsPrivate);
                map[0] = 7;
            }
            Assert.Equal(7, File.ReadAllBytes(path)[0]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_flags_that_only_choose_sharing_or_population_are_accepted()
    {
        const MapFlags denyWrite = (MapFlags)0x0800, executable = (MapFlags)0x1000, map32Bit = (MapFlags)0x40, stack = (MapFlags)0x20000;
        foreach (var flags in new[] { MapFlags.Shared, MapFlags.Private, MapFlags.Shared | MapFlags.NoReserve | MapFlags.Populate,
                     MapFlags.Private | denyWrite | executable, MapFlags.Private | map32Bit | stack })
        {
            using var map = MemoryMap.CreateAnonymous(Page, flags, MapProtection.Read | MapProtection.Write);
            map[0] = 1;
            Assert.Equal(1, map[0]);
        }
    }

    [Theory]
    [InlineData(MapProtection.Write, MmapAccess.Write)]
    [InlineData((MapProtection)0, MmapAccess.Read)]
    [InlineData(MapProtection.Execute, MmapAccess.Read)]
    public void A_protection_without_PROT_READ_still_gives_a_readable_anonymous_map(MapProtection prot, MmapAccess access)
    {
        using var map = MemoryMap.CreateAnonymous(2 * Page, MapFlags.Shared, prot);

        Assert.Equal(access, map.Access);
        Assert.Equal(0, map[Page]);
        Assert.Equal(new byte[2 * Page], map.ToArray());
        Assert.Equal(-1, map.Find([1], 0));
        if (access == MmapAccess.Write)
        {
            map[1] = 5;
            Assert.Equal(5, map[1]);
        }
        else
        {
            AssertError(Assert.Throws<MmapException>(() => map[1] = 5), MmapErrorKind.TypeError, "mmap can't modify a readonly memory map.");
        }
    }

    [Theory]
    [InlineData(MapProtection.Write, MmapAccess.Write)]
    [InlineData((MapProtection)0, MmapAccess.Read)]
    public void A_protection_without_PROT_READ_still_gives_a_readable_file_map(MapProtection prot, MmapAccess access)
    {
        byte[] data = Pattern(2 * Page);
        string path = NewFile(data);
        using var map = MemoryMap.Open(path, 0, MapFlags.Shared, prot);

        Assert.Equal(access, map.Access);
        Assert.Equal(data, map.ToArray());
        Assert.Equal(data[Page], map[Page]);
        if (access == MmapAccess.Write)
        {
            map[0] = 0xAA;
            Assert.Equal(0xAA, File.ReadAllBytes(path)[0]);
        }
        else
        {
            AssertError(Assert.Throws<MmapException>(() => map.Write([1])), MmapErrorKind.TypeError, "mmap can't modify a readonly memory map.");
            Assert.Equal(data, File.ReadAllBytes(path));
        }
    }

    // ---- D6: more than Array.MaxLength bytes into one array --------------------------------------------------

    [Fact]
    public void Reading_more_than_Array_MaxLength_bytes_into_one_array_raises_OverflowError()
    {
        const long size = 3L << 30;
        string path = Path.Combine(_dir, "sparse-3GiB.bin");
        using (var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite))
        {
            RandomAccess.SetLength(handle, size); // sparse: costs no disk, and no page below is touched
        }
        using var map = MemoryMap.Open(path);

        foreach (var read in new Func<byte[]>[] { () => map.Read(), () => map.Read(-1), () => map.Read(long.MaxValue), map.ToArray,
                     () => map.GetSlice(null, null) })
        {
            AssertError(Assert.Throws<MmapException>(read), MmapErrorKind.OverflowError, TooLargeMessage(size));
            Assert.Equal(0, map.Tell());
        }
        AssertError(Assert.Throws<MmapException>(() => map.Read(Array.MaxLength + 1L)), MmapErrorKind.OverflowError,
            TooLargeMessage(Array.MaxLength + 1L));
        map.Seek(1L << 30);
        AssertError(Assert.Throws<MmapException>(() => map.Read()), MmapErrorKind.OverflowError, TooLargeMessage(2L << 30));
        Assert.Equal(1L << 30, map.Tell());

        // The span forms read the same bytes in pieces.
        map.Seek(size - 16);
        Assert.Equal(16, map.Read(new byte[32].AsSpan()));
        Assert.Equal(size, map.Tell());
    }

    // ---- Crash holes closed beyond CPython (no CPython-visible difference) -----------------------------------

    [Fact]
    public void A_map_that_becomes_garbage_while_leased_keeps_its_memory_for_the_spans_still_in_use()
    {
        Span<byte> span = SpanOfAnUnreachableLeasedMap(out var map);
        Pattern(span.Length).CopyTo(span);

        for (int i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.False(map.IsAlive); // the map and its lease were collected and finalized
        // New mappings of the same size tend to land where a freed one was: had the finalizer unmapped the
        // memory, the span would now show one of them (or fault). The leased mapping is leaked instead.
        var others = new List<MemoryMap>();
        try
        {
            for (int i = 0; i < 8; i++)
            {
                var other = MemoryMap.CreateAnonymous(span.Length);
                other.WriteAt(0, Enumerable.Repeat((byte)0xEE, span.Length).ToArray());
                others.Add(other);
            }
            Assert.True(span.SequenceEqual(Pattern(span.Length)));
            span[0] = 0;
            Assert.Equal(0, span[0]);
        }
        finally
        {
            others.ForEach(m => m.Dispose());
        }
    }

    [Fact]
    public void The_internal_cursor_refuses_a_negative_position_that_would_address_memory_before_the_map()
    {
        using var map = MemoryMap.CreateAnonymous(Page);
        map.Position = 2 * Page; // past the end is legal, as after a shrinking resize

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => map.Position = -(1L << 40));

        Assert.Equal("value", e.ParamName);
        Assert.Equal(2 * Page, map.Position);
        Assert.Empty(map.Read(8));
        AssertError(Assert.Throws<MmapException>(() => map.Write([1])), MmapErrorKind.ValueError, "data out of range");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Span<byte> SpanOfAnUnreachableLeasedMap(out WeakReference map)
    {
        var leased = MemoryMap.CreateAnonymous(16 * Page);
        map = new WeakReference(leased);
        return leased.Lease().GetSpan(0, 16 * Page); // neither the lease nor the map is disposed
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /// <summary>Theory data naming each case of a table, so that every case is a test of its own.</summary>
    private static TheoryData<string> NamesOf<T>(Dictionary<string, T> cases)
    {
        var data = new TheoryData<string>();
        foreach (string name in cases.Keys)
        {
            data.Add(name);
        }
        return data;
    }

    private string NewFile(byte[] content)
    {
        string path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".bin");
        File.WriteAllBytes(path, content);
        return path;
    }

    /// <summary>Non-zero bytes that differ from page to page (251 is prime), so a lost or shifted page shows.</summary>
    private static byte[] Pattern(int length)
    {
        var data = new byte[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = (byte)(i % 251 + 1);
        }
        return data;
    }

    private static string TruncatedMessage(long fileSize) =>
        $"[Errno 5] Input/output error: the file was truncated to {fileSize} bytes outside this map; " +
        "bytes past its end cannot be accessed until it grows again";

    private static string TooLargeMessage(long count) =>
        $"cannot copy {count} bytes into one array (the .NET limit is {Array.MaxLength}); read into a span in chunks";

    private static void Truncate(string how, string path, long length)
    {
        switch (how)
        {
            case "RandomAccess.SetLength":
                TruncateWithRandomAccess(path, length);
                break;
            case "FileStream.SetLength":
                TruncateWithFileStream(path, length);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(how), how, null);
        }
    }

    /// <summary>Sets the file's length through a handle of its own, as another component or process would.</summary>
    private static void TruncateWithRandomAccess(string path, long length)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        RandomAccess.SetLength(handle, length);
    }

    private static void TruncateWithFileStream(string path, long length)
    {
        using var stream = File.Open(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        stream.SetLength(length);
    }

    private static void AssertError(MmapException e, MmapErrorKind kind, string message, int? errno = null)
    {
        Assert.Equal(kind, e.Kind);
        Assert.Equal(message, e.Message);
        Assert.Equal(errno, e.Errno);
    }
}
