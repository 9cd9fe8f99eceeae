using static MmapActors.Tests.Engine.MmapAssert;

namespace MmapActors.Tests.Engine;

/// <summary>write, write_byte and where writes end up for each access mode (catalogue §1.3, §3.4).</summary>
public sealed class MemoryMapWriteTests : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Write_copies_the_data_at_the_cursor_advances_it_and_returns_the_count()
    {
        var content = TestData.Pattern(100);
        string path = _files.Create(content);
        using var map = MemoryMap.Open(path);
        map.Seek(10);

        int written = map.Write("hello"u8);

        Assert.Equal(5, written);
        Assert.Equal(15, map.Tell());
        var expected = content.ToArray();
        "hello"u8.CopyTo(expected.AsSpan(10));
        Assert.Equal(expected, map.ToArray());
    }

    [Fact]
    public void Write_that_exactly_fills_the_rest_of_the_map_succeeds()
    {
        using var map = MemoryMap.CreateAnonymous(10);
        map.Seek(4);

        Assert.Equal(6, map.Write("abcdef"u8));
        Assert.Equal(10, map.Tell());
        Assert.Equal("\0\0\0\0abcdef"u8.ToArray(), map.ToArray());
    }

    [Fact]
    public void Write_of_empty_data_at_the_end_succeeds_and_returns_zero()
    {
        using var map = MemoryMap.CreateAnonymous(10);
        map.Seek(10);

        Assert.Equal(0, map.Write([]));
        Assert.Equal(10, map.Tell());
    }

    [Theory]
    [InlineData(0, 11)]
    [InlineData(5, 6)]
    [InlineData(10, 1)]
    public void Write_past_the_end_fails_with_ValueError_and_writes_nothing(int position, int length)
    {
        var content = TestData.Pattern(10);
        string path = _files.Create(content);
        using var map = MemoryMap.Open(path);
        map.Seek(position);

        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E23_DataOutOfRange,
            () => map.Write(TestData.Pattern(length, seed: 9)), path);
    }

    [Fact]
    public void Write_on_a_read_only_map_fails_with_TypeError_before_the_range_check()
    {
        string path = _files.Create(TestData.Pattern(10));
        using var map = MemoryMap.Open(path, 0, MmapAccess.Read);

        AssertFailsWithoutChange(map, MmapErrorKind.TypeError, Catalogue.E22_ReadOnly, () => map.Write("x"u8), path);
        map.Seek(10);
        AssertFailsWithoutChange(map, MmapErrorKind.TypeError, Catalogue.E22_ReadOnly, () => map.Write(new byte[50]), path);
        AssertFailsWithoutChange(map, MmapErrorKind.TypeError, Catalogue.E22_ReadOnly, () => map.Write([]), path);
    }

    [Fact]
    public void WriteByte_writes_one_byte_at_the_cursor_and_advances_it()
    {
        using var map = MemoryMap.CreateAnonymous(3);

        map.WriteByte(0x61);
        map.WriteByte(0);
        map.WriteByte(255);

        Assert.Equal(3, map.Tell());
        Assert.Equal(new byte[] { 0x61, 0, 255 }, map.ToArray());
    }

    [Fact]
    public void WriteByte_at_the_end_fails_with_ValueError_and_changes_nothing()
    {
        using var map = MemoryMap.CreateAnonymous(3);
        map.Seek(3);

        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E25_WriteByte, () => map.WriteByte(1));
    }

    [Theory]
    [InlineData(256, Catalogue.E26_ByteTooLarge)]
    [InlineData(int.MaxValue, Catalogue.E26_ByteTooLarge)]
    [InlineData(-1, Catalogue.E26_ByteTooSmall)]
    [InlineData(int.MinValue, Catalogue.E26_ByteTooSmall)]
    public void WriteByte_outside_0_to_255_fails_with_OverflowError_and_changes_nothing(int value, string message)
    {
        using var map = MemoryMap.CreateAnonymous(3);

        AssertFailsWithoutChange(map, MmapErrorKind.OverflowError, message, () => map.WriteByte(value));
    }

    [Theory]
    [InlineData(256, Catalogue.E26_ByteTooLarge)]
    [InlineData(-1, Catalogue.E26_ByteTooSmall)]
    public void WriteByte_out_of_range_fails_with_OverflowError_before_the_read_only_TypeError(int value, string message)
    {
        string path = _files.Create(TestData.Pattern(3));
        using var map = MemoryMap.Open(path, 0, MmapAccess.Read);

        AssertFailsWithoutChange(map, MmapErrorKind.OverflowError, message, () => map.WriteByte(value), path);
        map.Seek(3);
        AssertFailsWithoutChange(map, MmapErrorKind.OverflowError, message, () => map.WriteByte(value), path);
    }

    [Fact]
    public void WriteByte_on_a_read_only_map_fails_with_TypeError_before_the_range_check()
    {
        string path = _files.Create(TestData.Pattern(3));
        using var map = MemoryMap.Open(path, 0, MmapAccess.Read);

        AssertFailsWithoutChange(map, MmapErrorKind.TypeError, Catalogue.E22_ReadOnly, () => map.WriteByte(1), path);
        map.Seek(3);
        AssertFailsWithoutChange(map, MmapErrorKind.TypeError, Catalogue.E22_ReadOnly, () => map.WriteByte(1), path);
    }

    [Theory]
    [InlineData(MmapAccess.Write)]
    [InlineData(MmapAccess.Default)]
    public void Writes_on_a_shared_map_reach_the_file_immediately_without_flush(MmapAccess access)
    {
        var content = TestData.Pattern(100);
        string path = _files.Create(content);
        using var map = MemoryMap.Open(path, 0, access);
        var expected = content.ToArray();

        map.Seek(10);
        map.Write("abc"u8);
        "abc"u8.CopyTo(expected.AsSpan(10));
        Assert.Equal(expected, File.ReadAllBytes(path));

        map.WriteByte(0xEE);
        expected[13] = 0xEE;
        Assert.Equal(expected, File.ReadAllBytes(path));

        map[-1] = 7;
        expected[^1] = 7;
        Assert.Equal(expected, File.ReadAllBytes(path));

        map.SetSlice(20, 30, 3, "XYZW"u8);
        expected[20] = (byte)'X';
        expected[23] = (byte)'Y';
        expected[26] = (byte)'Z';
        expected[29] = (byte)'W';
        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [Fact]
    public void Writes_to_the_file_from_outside_are_visible_through_a_shared_map()
    {
        var content = TestData.Pattern(100);
        string path = _files.Create(content);
        using var map = MemoryMap.Open(path, 0, MmapAccess.Read);
        using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Write))
        {
            RandomAccess.Write(handle, "outside"u8, 50);
        }

        Assert.Equal("outside"u8.ToArray(), map.GetSlice(50, 57));
    }

    [Fact]
    public void Copy_access_writes_are_visible_in_the_map_but_never_reach_the_file()
    {
        var content = TestData.Pattern(100);
        string path = _files.Create(content);

        using (var map = MemoryMap.Open(path, 0, MmapAccess.Copy))
        {
            map.Write("private"u8);
            map[50] = 1;
            map.SetSlice(60, 70, null, new byte[10]);
            map.Flush();

            Assert.Equal("private"u8.ToArray(), map.GetSlice(0, 7));
            Assert.Equal(1, map[50]);
            Assert.Equal(content, File.ReadAllBytes(path));
        }

        Assert.Equal(content, File.ReadAllBytes(path));
    }

    [Fact]
    public void Private_default_map_writes_never_reach_the_file()
    {
        var content = TestData.Pattern(100);
        string path = _files.Create(content);

        using (var map = MemoryMap.Open(path, 0, MapFlags.Private, MapProtection.Read | MapProtection.Write))
        {
            map.Write("private"u8);
            map.Flush();

            Assert.Equal("private"u8.ToArray(), map.GetSlice(0, 7));
        }

        Assert.Equal(content, File.ReadAllBytes(path));
    }

    [Fact]
    public void Writes_on_an_offset_map_land_at_offset_plus_position_in_the_file()
    {
        int page = MemoryMap.PageSize;
        var content = TestData.Pattern(2 * page);
        string path = _files.Create(content);
        using var map = MemoryMap.Open(path, 0, MmapAccess.Write, page);
        map.Seek(5);

        map.Write("abc"u8);

        var expected = content.ToArray();
        "abc"u8.CopyTo(expected.AsSpan(page + 5));
        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [Fact]
    public void Two_shared_maps_of_one_file_see_each_others_writes()
    {
        string path = _files.Create(TestData.Pattern(100));
        using var first = MemoryMap.Open(path);
        using var second = MemoryMap.Open(path, 0, MmapAccess.Read);

        first[10] = 99;

        Assert.Equal(99, second[10]);
    }
}
