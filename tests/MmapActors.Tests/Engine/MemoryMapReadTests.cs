using static MmapActors.Tests.Engine.MmapAssert;

namespace MmapActors.Tests.Engine;

/// <summary>read, read_byte, readline and bytes(m) (catalogue §3.3, dotnet-mmap-notes §4).</summary>
public sealed class MemoryMapReadTests : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    private MemoryMap OpenFile(byte[] content, MmapAccess access = MmapAccess.Default) =>
        MemoryMap.Open(_files.Create(content), 0, access);

    [Fact]
    public void Read_without_a_count_returns_everything_from_the_cursor_to_the_end()
    {
        var content = TestData.Pattern(100);
        using var map = OpenFile(content);

        for (int start = 0; start <= content.Length; start += 25)
        {
            map.Seek(start);

            Assert.Equal(content[start..], map.Read());
            Assert.Equal(content.Length, map.Tell());
        }
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(-5)]
    [InlineData(-100)]
    [InlineData(long.MinValue)]
    public void Read_with_a_negative_count_reads_to_the_end(long count)
    {
        var content = TestData.Pattern(100);
        using var map = OpenFile(content);
        map.Seek(30);

        Assert.Equal(content[30..], map.Read(count));
        Assert.Equal(100, map.Tell());
    }

    [Theory]
    [InlineData(71)]
    [InlineData(1000)]
    [InlineData(long.MaxValue)]
    public void Read_with_a_count_larger_than_what_remains_is_clamped(long count)
    {
        var content = TestData.Pattern(100);
        using var map = OpenFile(content);
        map.Seek(30);

        Assert.Equal(content[30..], map.Read(count));
        Assert.Equal(100, map.Tell());
    }

    [Fact]
    public void Read_with_count_zero_returns_nothing_and_keeps_the_cursor()
    {
        using var map = OpenFile(TestData.Pattern(100));
        map.Seek(40);

        Assert.Empty(map.Read(0));
        Assert.Equal(40, map.Tell());
    }

    [Fact]
    public void Read_at_the_end_returns_empty_and_keeps_the_cursor()
    {
        using var map = OpenFile(TestData.Pattern(100));
        map.Seek(0, SeekOrigin.End);

        Assert.Empty(map.Read());
        Assert.Empty(map.Read(10));
        Assert.Empty(map.Read(-1));
        Assert.Equal(100, map.Tell());
    }

    [Fact]
    public void Consecutive_reads_return_consecutive_chunks_and_advance_the_cursor()
    {
        var content = TestData.Pattern(100);
        using var map = OpenFile(content);
        var collected = new List<byte>();

        for (int expectedPosition = 7; collected.Count < content.Length; expectedPosition = Math.Min(expectedPosition + 7, content.Length))
        {
            collected.AddRange(map.Read(7));
            Assert.Equal(expectedPosition, map.Tell());
        }

        Assert.Equal(content, collected.ToArray());
    }

    [Fact]
    public void Read_into_a_span_copies_what_fits_advances_the_cursor_and_returns_the_count()
    {
        var content = TestData.Pattern(100);
        using var map = OpenFile(content);
        map.Seek(90);
        var small = new byte[4];
        var large = new byte[50];

        Assert.Equal(4, map.Read(small));
        Assert.Equal(content[90..94], small);
        Assert.Equal(6, map.Read(large));
        Assert.Equal(content[94..], large[..6]);
        Assert.Equal(new byte[44], large[6..]);
        Assert.Equal(0, map.Read(large));
        Assert.Equal(100, map.Tell());
    }

    [Fact]
    public void ReadByte_returns_the_byte_as_an_int_and_advances_the_cursor()
    {
        var content = TestData.Pattern(300);
        using var map = OpenFile(content);

        for (int i = 0; i < content.Length; i++)
        {
            Assert.Equal(content[i], map.ReadByte());
            Assert.Equal(i + 1, map.Tell());
        }
    }

    [Fact]
    public void ReadByte_returns_bytes_above_127_as_unsigned_values()
    {
        using var map = MemoryMap.CreateAnonymous(127);
        for (int value = 129; value < 256; value++)
        {
            map.WriteByte(value);
        }
        map.Seek(0);

        for (int value = 129; value < 256; value++)
        {
            Assert.Equal(value, map.ReadByte());
            Assert.Equal(value, map[value - 129]);
        }
    }

    [Fact]
    public void ReadByte_at_the_end_fails_with_ValueError_and_keeps_the_cursor()
    {
        using var map = OpenFile(TestData.Pattern(10));
        map.Seek(10);

        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E20_ReadByte, () => map.ReadByte());
    }

    [Fact]
    public void ReadLine_returns_each_line_with_its_newline_then_the_unterminated_tail_then_empty()
    {
        // dotnet-mmap-notes.md §4, observed on CPython
        byte[][] expected =
        [
            "line1\n"u8.ToArray(), "line2\n"u8.ToArray(), "\n"u8.ToArray(), "abcabc\n"u8.ToArray(),
            "last-no-newline"u8.ToArray(), [],
        ];
        using var map = OpenFile(TestData.Lines);
        long position = 0;

        foreach (var line in expected)
        {
            Assert.Equal(line, map.ReadLine());
            position += line.Length;
            Assert.Equal(position, map.Tell());
        }
        Assert.Equal(TestData.Lines.Length, map.Tell());
    }

    [Fact]
    public void ReadLine_from_the_middle_of_a_line_returns_the_rest_of_that_line()
    {
        using var map = OpenFile(TestData.Lines);
        map.Seek(15);

        Assert.Equal("cabc\n"u8.ToArray(), map.ReadLine());
        Assert.Equal(20, map.Tell());
    }

    [Fact]
    public void ReadLine_without_any_newline_returns_everything_up_to_the_end()
    {
        var content = "no newline here"u8.ToArray();
        using var map = OpenFile(content);
        map.Seek(3);

        Assert.Equal(content[3..], map.ReadLine());
        Assert.Equal(content.Length, map.Tell());
    }

    [Fact]
    public void ReadLine_at_the_end_returns_empty_and_keeps_the_cursor()
    {
        using var map = OpenFile(TestData.Lines);
        map.Seek(0, SeekOrigin.End);

        Assert.Empty(map.ReadLine());
        Assert.Empty(map.ReadLine());
        Assert.Equal(TestData.Lines.Length, map.Tell());
    }

    [Fact]
    public void ToArray_copies_the_whole_map_without_moving_the_cursor()
    {
        var content = TestData.Pattern(5000);
        using var map = OpenFile(content);
        map.Seek(123);

        Assert.Equal(content, map.ToArray());
        Assert.Equal(123, map.Tell());
    }

    [Fact]
    public void Reads_on_a_read_only_or_copy_map_work_like_on_a_writable_map()
    {
        var content = TestData.Pattern(64);
        foreach (var access in new[] { MmapAccess.Read, MmapAccess.Copy, MmapAccess.Write })
        {
            using var map = OpenFile(content, access);

            Assert.Equal(content[..10], map.Read(10));
            Assert.Equal(content[10], map.ReadByte());
            Assert.Equal(content[11..], map.Read());
        }
    }

    [Fact]
    public void Reads_on_an_offset_map_start_at_the_offset_in_the_file()
    {
        int page = MemoryMap.PageSize;
        var content = TestData.Pattern(2 * page);
        using var map = MemoryMap.Open(_files.Create(content), 0, MmapAccess.Read, page);

        Assert.Equal(content[page], map.ReadByte());
        Assert.Equal(content[(page + 1)..(page + 11)], map.Read(10));
        Assert.Equal(11, map.Tell());
    }
}
