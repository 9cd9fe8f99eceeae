using static MmapActors.Tests.Engine.MmapAssert;

namespace MmapActors.Tests.Engine;

/// <summary>close/Dispose, closed, repr, and "closed before everything" (catalogue E18, §1.4, §4.11).</summary>
public sealed class MemoryMapLifecycleTests : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    /// <summary>Every member that CPython guards with CHECK_VALID, called with arguments that would otherwise be
    /// valid AND with arguments that would otherwise raise their own error: on a closed map both raise E18.</summary>
    private static readonly Dictionary<string, Action<MemoryMap>> GuardedOperations = new()
    {
        ["Length"] = m => _ = m.Length,
        ["Tell"] = m => m.Tell(),
        ["Seek"] = m => m.Seek(0),
        ["Seek out of range"] = m => m.Seek(-1),
        ["Seek unknown whence"] = m => m.Seek(0, (SeekOrigin)9),
        ["Size"] = m => m.Size(),
        ["Read()"] = m => m.Read(),
        ["Read(n)"] = m => m.Read(1),
        ["Read(span)"] = m => m.Read(new byte[1]),
        ["ReadByte"] = m => m.ReadByte(),
        ["ReadLine"] = m => m.ReadLine(),
        ["ReadAt"] = m => m.ReadAt(0, new byte[1]),
        ["Write"] = m => m.Write("x"u8),
        ["Write too long"] = m => m.Write(new byte[1000]),
        ["WriteByte"] = m => m.WriteByte(1),
        ["WriteByte 256"] = m => m.WriteByte(256),
        ["WriteByte -1"] = m => m.WriteByte(-1),
        ["WriteAt"] = m => m.WriteAt(0, "x"u8),
        ["Find"] = m => m.Find("x"u8),
        ["Find(start)"] = m => m.Find("x"u8, 0),
        ["Find(start, end)"] = m => m.Find("x"u8, 0, 1),
        ["RFind"] = m => m.RFind("x"u8),
        ["RFind(start)"] = m => m.RFind("x"u8, 0),
        ["RFind(start, end)"] = m => m.RFind("x"u8, 0, 1),
        ["Move"] = m => m.Move(0, 1, 1),
        ["Move out of range"] = m => m.Move(-1, 0, 1),
        ["Flush()"] = m => m.Flush(),
        ["Flush(offset)"] = m => m.Flush(1),
        ["Flush(offset, size)"] = m => m.Flush(-1, -1),
        ["Madvise"] = m => m.Madvise(MadviseOption.Normal),
        ["Madvise(start)"] = m => m.Madvise(MadviseOption.Normal, -1),
        ["Madvise(start, length)"] = m => m.Madvise(MadviseOption.Normal, 0, -1),
        ["Resize"] = m => m.Resize(5),
        ["Resize negative"] = m => m.Resize(-1),
        ["Resize zero"] = m => m.Resize(0),
        ["get item"] = m => _ = m[0],
        ["get item out of range"] = m => _ = m[1000],
        ["set item"] = m => m[0] = 1,
        ["set item bad value"] = m => m[0] = 300,
        ["set item out of range"] = m => m[1000] = 1,
        ["GetSlice"] = m => m.GetSlice(0, 1),
        ["GetSlice step 0"] = m => m.GetSlice(null, null, 0),
        ["SetSlice"] = m => m.SetSlice(0, 1, null, "x"u8),
        ["SetSlice wrong size"] = m => m.SetSlice(0, 1, null, "xy"u8),
        ["SetSlice step 0"] = m => m.SetSlice(null, null, 0, []),
        ["DeleteItem"] = m => m.DeleteItem(0),
        ["DeleteItem out of range"] = m => m.DeleteItem(1000),
        ["DeleteSlice"] = m => m.DeleteSlice(0, 1),
        ["Contains"] = m => m.Contains("x"u8),
        ["ToArray"] = m => m.ToArray(),
        ["Lease"] = m => m.Lease(),
        ["enumeration"] = m => m.First(),
    };

    public static TheoryData<string> GuardedOperationNames => new(GuardedOperations.Keys);

    [Theory]
    [MemberData(nameof(GuardedOperationNames))]
    public void Every_operation_on_a_closed_map_fails_with_ValueError_before_any_other_check(string operation)
    {
        string path = _files.Create(TestData.Pattern(10));
        foreach (var map in new[]
                 {
                     MemoryMap.Open(path), MemoryMap.Open(path, 0, MmapAccess.Read), MemoryMap.Open(path, 0, MmapAccess.Copy),
                     MemoryMap.CreateAnonymous(10),
                 })
        {
            map.Close();

            AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E18_Closed, () => GuardedOperations[operation](map), path);
        }
    }

    [Fact]
    public void Close_twice_is_harmless()
    {
        var map = MemoryMap.CreateAnonymous(10);

        map.Close();
        map.Close();

        Assert.True(map.Closed);
    }

    [Fact]
    public void Dispose_is_idempotent_and_equivalent_to_close()
    {
        var map = MemoryMap.CreateAnonymous(10);

        map.Dispose();
        Assert.True(map.Closed);
        map.Dispose();
        map.Close();

        Assert.True(map.Closed);
    }

    [Fact]
    public void Closed_is_false_while_open_and_true_after_close()
    {
        var map = MemoryMap.CreateAnonymous(10);
        Assert.False(map.Closed);

        map.Close();

        Assert.True(map.Closed);
    }

    [Fact]
    public void A_using_block_closes_the_map()
    {
        MemoryMap escaped;
        using (var map = MemoryMap.CreateAnonymous(10))
        {
            escaped = map;
        }

        Assert.True(escaped.Closed);
        AssertClosed(() => escaped.Read());
    }

    [Fact]
    public void Close_releases_the_maps_mapping_and_its_own_descriptor()
    {
        string path = Path.GetFullPath(_files.Create(TestData.Pattern(100)));
        var map = MemoryMap.Open(path);
        Assert.True(MappingsOf(path) > 0);
        Assert.True(DescriptorsOf(path) > 0);

        map.Close();

        Assert.Equal(0, MappingsOf(path));
        Assert.Equal(0, DescriptorsOf(path));
    }

    private static int MappingsOf(string path) => File.ReadLines("/proc/self/maps").Count(line => line.EndsWith(" " + path, StringComparison.Ordinal));

    private static int DescriptorsOf(string path) => new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos()
        .Count(fd =>
        {
            try
            {
                return fd.LinkTarget == path;
            }
            catch (IOException)
            {
                return false; // a descriptor closed while we looked
            }
        });

    [Fact]
    public void Members_that_CPython_leaves_unguarded_keep_working_after_close()
    {
        int page = MemoryMap.PageSize;
        string path = _files.Create(TestData.Pattern(2 * page));
        var map = MemoryMap.Open(path, 0, MmapAccess.Copy, page);

        map.Close();

        Assert.True(map.Seekable);
        Assert.True(map.Closed);
        Assert.Equal("<mmap.mmap closed=True>", map.ToString());
        Assert.Equal(MmapAccess.Copy, map.Access);
        Assert.Equal(page, map.Offset);
        Assert.True(map.IsPrivate);
        Assert.False(map.IsAnonymous);
    }

    [Theory]
    [InlineData(MmapAccess.Default, "ACCESS_DEFAULT")]
    [InlineData(MmapAccess.Read, "ACCESS_READ")]
    [InlineData(MmapAccess.Write, "ACCESS_WRITE")]
    [InlineData(MmapAccess.Copy, "ACCESS_COPY")]
    public void ToString_is_CPythons_repr_with_access_length_position_and_offset(MmapAccess access, string accessName)
    {
        int page = MemoryMap.PageSize;
        string path = _files.Create(TestData.Pattern(3 * page));
        using var map = MemoryMap.Open(path, 100, access, page);

        Assert.Equal($"<mmap.mmap closed=False, access={accessName}, length=100, pos=0, offset={page}>", map.ToString());
        map.Seek(42);
        Assert.Equal($"<mmap.mmap closed=False, access={accessName}, length=100, pos=42, offset={page}>", map.ToString());
    }

    [Fact]
    public void ToString_of_an_anonymous_map_shows_offset_zero()
    {
        using var map = MemoryMap.CreateAnonymous(10, MmapAccess.Write);
        map.Seek(10);

        Assert.Equal("<mmap.mmap closed=False, access=ACCESS_WRITE, length=10, pos=10, offset=0>", map.ToString());
    }

    [Fact]
    public void ToString_of_a_closed_map_is_the_short_repr()
    {
        var map = MemoryMap.CreateAnonymous(10);
        map.Close();

        Assert.Equal("<mmap.mmap closed=True>", map.ToString());
    }
}
