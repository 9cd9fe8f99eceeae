namespace MmapActors.Tests.Engine;

/// <summary>
/// A map over a 3 GiB sparse file: 64-bit positions, spans chunked below <see cref="int.MaxValue"/>, and searches
/// that scan the map in <see cref="MemoryMap.MaxChunk"/> windows. The file costs no disk and the tests touch only
/// the pages they need, except the chunk-boundary search, which has to read one whole window (1 GiB).
/// </summary>
[Trait("Category", "Large")]
public sealed class LargeMapTests : IDisposable
{
    private const long GiB = 1L << 30;
    private const long Size = 3 * GiB;
    private const long Int31 = 1L << 31; // 2 GiB: the first index an int cannot hold
    private const long Beyond = Int31 + GiB / 2; // 2.5 GiB

    private static readonly int Page = MemoryMap.PageSize;

    private readonly string _path = Path.Combine(Path.GetTempPath(), $"mmap-large-{Guid.NewGuid():N}.bin");

    public LargeMapTests()
    {
        using var handle = File.OpenHandle(_path, FileMode.CreateNew, FileAccess.ReadWrite);
        RandomAccess.SetLength(handle, Size);
    }

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void Writes_beyond_2_GiB_through_every_write_method_read_back_through_every_read_method_and_reach_the_disk()
    {
        using var map = MemoryMap.Open(_path);
        Assert.Equal(Size, map.Length);

        map.Seek(Beyond);
        Assert.Equal(5, map.Write("write"u8));
        Assert.Equal(Beyond + 5, map.Tell());
        map.WriteAt(Beyond + Page, "write-at"u8);
        map[Beyond + 2 * Page] = 0xA1;
        map.Seek(Beyond + 3 * Page);
        map.WriteByte(0xB2);
        map.SetSlice(Beyond + 4 * Page, Beyond + 4 * Page + 5, null, "slice"u8);
        map.SetSlice(Beyond + 5 * Page, Beyond + 5 * Page + 15, 3, "step!"u8);
        map[-1] = 0xC3;

        map.Seek(Beyond);
        Assert.Equal("write"u8.ToArray(), map.Read(5));
        var buffer = new byte[8];
        Assert.Equal(8, map.ReadAt(Beyond + Page, buffer));
        Assert.Equal("write-at"u8.ToArray(), buffer);
        map.Seek(Beyond + Page);
        Assert.Equal(8, map.Read(buffer.AsSpan()));
        Assert.Equal("write-at"u8.ToArray(), buffer);
        Assert.Equal(0xA1, map[Beyond + 2 * Page]);
        Assert.Equal(0xA1, map[Beyond + 2 * Page - Size]);
        map.Seek(Beyond + 3 * Page);
        Assert.Equal(0xB2, map.ReadByte());
        Assert.Equal("slice"u8.ToArray(), map.GetSlice(Beyond + 4 * Page, Beyond + 4 * Page + 5));
        Assert.Equal("step!"u8.ToArray(), map.GetSlice(Beyond + 5 * Page, Beyond + 5 * Page + 15, 3));
        Assert.Equal("s\0\0t"u8.ToArray(), map.GetSlice(Beyond + 5 * Page, Beyond + 5 * Page + 4));
        Assert.Equal(0xC3, map[Size - 1]);
        Assert.Equal([0xC3], map.GetSlice(-1, null));

        map.Flush();
        Assert.Equal("write"u8.ToArray(), OnDisk(Beyond, 5));
        Assert.Equal("write-at"u8.ToArray(), OnDisk(Beyond + Page, 8));
        Assert.Equal([0xA1], OnDisk(Beyond + 2 * Page, 1));
        Assert.Equal([0xB2], OnDisk(Beyond + 3 * Page, 1));
        Assert.Equal("slice"u8.ToArray(), OnDisk(Beyond + 4 * Page, 5));
        Assert.Equal("s\0\0t\0\0e\0\0p\0\0!"u8.ToArray(), OnDisk(Beyond + 5 * Page, 13));
        Assert.Equal([0xC3], OnDisk(Size - 1, 1));
    }

    [Fact]
    public void Reads_and_writes_cross_the_2_GiB_boundary()
    {
        byte[] line = "across-2GiB\n"u8.ToArray();
        using var map = MemoryMap.Open(_path);

        map.WriteAt(Int31 - 6, line);

        Assert.Equal(line, map.GetSlice(Int31 - 6, Int31 + 6));
        var buffer = new byte[12];
        Assert.Equal(12, map.ReadAt(Int31 - 6, buffer));
        Assert.Equal(line, buffer);
        Assert.Equal(line[5], map[Int31 - 1]);
        Assert.Equal(line[6], map[Int31]);
        Assert.Equal(line.Reverse().ToArray(), map.GetSlice(Int31 + 5, Int31 - 7, -1));
        map.Seek(Int31 - 6);
        Assert.Equal(line, map.ReadLine());
        Assert.Equal(Int31 + 6, map.Tell());
        map.Seek(Int31 - 6);
        Assert.Equal(line, map.Read(12));

        map.Seek(Int31 - 2);
        Assert.Equal(4, map.Write("WXYZ"u8));
        map.SetSlice(Int31 - 30, Int31 + 30, 20, "abc"u8);
        Assert.Equal("acroWXYZGiB\n"u8.ToArray(), map.GetSlice(Int31 - 6, Int31 + 6));
        Assert.Equal("abc"u8.ToArray(), map.GetSlice(Int31 - 30, Int31 + 30, 20));

        map.Flush();
        var expected = new byte[60];
        expected[0] = (byte)'a';
        expected[20] = (byte)'b';
        expected[40] = (byte)'c';
        "acroWXYZGiB\n"u8.CopyTo(expected.AsSpan(24));
        Assert.Equal(expected, OnDisk(Int31 - 30, 60));
        Assert.Equal(expected, map.GetSlice(Int31 - 30, Int31 + 30));
    }

    [Fact]
    public void Find_and_RFind_locate_needles_beyond_2_GiB_and_across_the_2_GiB_boundary()
    {
        byte[] needle = "needle-beyond-2GiB"u8.ToArray();
        byte[] straddle = "STRADDLE"u8.ToArray();
        using var map = MemoryMap.Open(_path);
        map.WriteAt(Beyond + 100, needle);
        map.WriteAt(Int31 - 4, straddle);

        Assert.Equal(Beyond + 100, map.Find(needle, Beyond, Beyond + Page));
        Assert.Equal(Beyond + 100, map.RFind(needle, Beyond, Beyond + Page));
        Assert.Equal(Beyond + 100, map.Find(needle, Beyond - Size, Beyond - Size + Page)); // negative start and end
        Assert.Equal(-1, map.Find(needle, Beyond + 101, Beyond + Page));
        Assert.Equal(-1, map.RFind(needle, Beyond, Beyond + 100 + needle.Length - 1));
        map.Seek(Beyond + 64);
        Assert.Equal(Beyond + 100, map.Find(needle, map.Tell(), Beyond + Page)); // Python's default start is the cursor

        Assert.Equal(Int31 - 4, map.Find(straddle, Int31 - Page, Int31 + Page));
        Assert.Equal(Int31 - 4, map.RFind(straddle, Int31 - Page, Int31 + Page));
        Assert.Equal(-1, map.Find(straddle, Int31 - Page, Int31 + 3));
        Assert.Equal(-1, map.RFind(straddle, Int31 - 3, Int31 + Page));
    }

    [Fact]
    public void Find_and_RFind_locate_needles_straddling_the_internal_1_GiB_search_chunks()
    {
        long chunk = MemoryMap.MaxChunk;
        long start = Int31 - GiB / 2; // the first window is [start, start + chunk): across 2 GiB
        long end = start + chunk;
        byte[] forward = "FORWARD!"u8.ToArray();
        byte[] backward = "BACKWARD"u8.ToArray();
        using var map = MemoryMap.Open(_path);
        map.WriteAt(end - 4, forward); // straddles the end of Find's first window
        map.WriteAt(start - 4, backward); // straddles the start of RFind's first window [end - chunk, end)

        Assert.Equal(end - 4, map.Find(forward, start));
        Assert.Equal(start - 4, map.RFind(backward, start - Page, end));
        Assert.Equal(-1, map.Find(forward, start, end + 3));
        Assert.Equal(-1, map.RFind(backward, start - 3, end));
    }

    [Fact]
    public void Move_copies_across_the_2_GiB_boundary_in_both_directions_and_with_overlap()
    {
        byte[] data = Enumerable.Range(1, 64).Select(i => (byte)i).ToArray();
        using var map = MemoryMap.Open(_path);
        map.WriteAt(Int31 - 32, data);

        map.Move(Beyond, Int31 - 32, 64);
        Assert.Equal(data, map.GetSlice(Beyond, Beyond + 64));
        map.Move(GiB + 10, Beyond, 64);
        Assert.Equal(data, map.GetSlice(GiB + 10, GiB + 74));
        map.Move(Int31 - 16, Int31 - 32, 64); // overlapping, like memmove
        Assert.Equal(data, map.GetSlice(Int31 - 16, Int31 + 48));
        Assert.Equal(data[..16], map.GetSlice(Int31 - 32, Int31 - 16));

        map.Flush();
        Assert.Equal(data, OnDisk(Beyond, 64));
        Assert.Equal(data, OnDisk(GiB + 10, 64));
        Assert.Equal([.. data[..16], .. data], OnDisk(Int31 - 32, 80));
    }

    [Fact]
    public void An_offset_map_at_2_GiB_reads_and_writes_the_same_file()
    {
        using var map = MemoryMap.Open(_path);
        map.WriteAt(Beyond, "from-main"u8);

        using (var tail = MemoryMap.Open(_path, offset: Int31))
        {
            Assert.Equal(GiB, tail.Length);
            Assert.Equal(Int31, tail.Offset);
            Assert.Equal(Size, tail.Size());
            Assert.Equal("from-main"u8.ToArray(), tail.GetSlice(Beyond - Int31, Beyond - Int31 + 9));
            Assert.Equal(Beyond - Int31, tail.Find("from-main"u8, Beyond - Int31 - Page, Beyond - Int31 + Page));

            tail.WriteAt(GiB - 9, "from-tail"u8);
            tail[0] = 0x7E;
            tail.Flush();
            Assert.Equal("from-tail"u8.ToArray(), map.GetSlice(Size - 9, Size));
            Assert.Equal(0x7E, map[Int31]);
            Assert.Equal("from-tail"u8.ToArray(), OnDisk(Size - 9, 9));
            Assert.Equal([0x7E], OnDisk(Int31, 1));
        }

        using var window = MemoryMap.Open(_path, length: Page, offset: Beyond);
        Assert.Equal("from-main"u8.ToArray(), window.Read(9));
    }

    [Fact]
    public void A_large_map_grows_and_shrinks_around_2_GiB_keeping_its_data()
    {
        using var map = MemoryMap.Open(_path);
        map.WriteAt(Int31 - 4, "KEEP-ME!"u8);

        map.Resize(Size + Page);
        Assert.Equal(Size + Page, new FileInfo(_path).Length);
        Assert.Equal(0, map[-1]);
        map[-1] = 1;
        Assert.Equal("KEEP-ME!"u8.ToArray(), map.GetSlice(Int31 - 4, Int31 + 4));

        map.Resize(Int31 + 2);
        Assert.Equal(Int31 + 2, map.Length);
        Assert.Equal(Int31 + 2, new FileInfo(_path).Length);
        Assert.Equal("KEEP-M"u8.ToArray(), map.GetSlice(Int31 - 4, null));
        map.Flush();
        Assert.Equal("KEEP-M"u8.ToArray(), OnDisk(Int31 - 4, 6));
    }

    private byte[] OnDisk(long offset, int count)
    {
        using var handle = File.OpenHandle(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var buffer = new byte[count];
        Assert.Equal(count, RandomAccess.Read(handle, buffer, offset));
        return buffer;
    }
}
