using static MmapActors.Tests.Engine.MmapAssert;

namespace MmapActors.Tests.Engine;

/// <summary>ReadAt/WriteAt: positional reads and writes that neither use nor move the cursor.</summary>
public sealed class MemoryMapPositionalTests : IDisposable
{
    private const int Size = 100;
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void ReadAt_copies_from_the_position_without_moving_the_cursor()
    {
        var content = TestData.Pattern(Size);
        using var map = MemoryMap.Open(_files.Create(content), 0, MmapAccess.Read);
        map.Seek(7);
        var buffer = new byte[10];

        Assert.Equal(10, map.ReadAt(40, buffer));

        Assert.Equal(content[40..50], buffer);
        Assert.Equal(7, map.Tell());
    }

    [Fact]
    public void ReadAt_near_the_end_copies_only_what_remains()
    {
        var content = TestData.Pattern(Size);
        using var map = MemoryMap.Open(_files.Create(content));
        var buffer = new byte[10];

        Assert.Equal(4, map.ReadAt(Size - 4, buffer));
        Assert.Equal(content[^4..], buffer[..4]);
        Assert.Equal(new byte[6], buffer[4..]);
        Assert.Equal(0, map.ReadAt(Size, buffer));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(Size + 1)]
    [InlineData(long.MinValue)]
    [InlineData(long.MaxValue)]
    public void ReadAt_outside_the_map_fails_with_ValueError(long position)
    {
        using var map = MemoryMap.CreateAnonymous(Size);
        var buffer = new byte[1];

        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, "read position out of range", () => map.ReadAt(position, buffer));
    }

    [Fact]
    public void WriteAt_writes_at_the_position_without_moving_the_cursor()
    {
        var content = TestData.Pattern(Size);
        string path = _files.Create(content);
        using var map = MemoryMap.Open(path);
        map.Seek(3);

        map.WriteAt(50, "positional"u8);

        var expected = content.ToArray();
        "positional"u8.CopyTo(expected.AsSpan(50));
        Assert.Equal(expected, map.ToArray());
        Assert.Equal(expected, File.ReadAllBytes(path));
        Assert.Equal(3, map.Tell());
    }

    [Fact]
    public void WriteAt_up_to_the_end_and_empty_data_at_the_end_succeed()
    {
        using var map = MemoryMap.CreateAnonymous(Size);

        map.WriteAt(Size - 3, "end"u8);
        map.WriteAt(Size, []);

        Assert.Equal("end"u8.ToArray(), map.GetSlice(-3, null));
    }

    [Theory]
    [InlineData(-1, 1)]
    [InlineData(-1, 0)]
    [InlineData(Size, 1)]
    [InlineData(Size - 2, 3)]
    [InlineData(Size + 1, 0)]
    [InlineData(long.MaxValue, 1)]
    [InlineData(long.MinValue, 0)]
    public void WriteAt_outside_the_map_fails_with_ValueError_and_writes_nothing(long position, int length)
    {
        string path = _files.Create(TestData.Pattern(Size));
        using var map = MemoryMap.Open(path);

        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E23_DataOutOfRange,
            () => map.WriteAt(position, TestData.Pattern(length, seed: 3)), path);
    }

    [Fact]
    public void WriteAt_on_a_read_only_map_fails_with_TypeError_before_the_range_check()
    {
        string path = _files.Create(TestData.Pattern(Size));
        using var map = MemoryMap.Open(path, 0, MmapAccess.Read);

        AssertFailsWithoutChange(map, MmapErrorKind.TypeError, Catalogue.E22_ReadOnly, () => map.WriteAt(0, "x"u8), path);
        AssertFailsWithoutChange(map, MmapErrorKind.TypeError, Catalogue.E22_ReadOnly, () => map.WriteAt(-1, "x"u8), path);
        AssertFailsWithoutChange(map, MmapErrorKind.TypeError, Catalogue.E22_ReadOnly, () => map.WriteAt(Size, new byte[5]), path);
    }

    [Fact]
    public void WriteAt_on_a_copy_map_stays_private()
    {
        var content = TestData.Pattern(Size);
        string path = _files.Create(content);
        using var map = MemoryMap.Open(path, 0, MmapAccess.Copy);

        map.WriteAt(0, "copy"u8);

        Assert.Equal("copy"u8.ToArray(), map.GetSlice(0, 4));
        Assert.Equal(content, File.ReadAllBytes(path));
    }

    [Fact]
    public void Positional_access_on_an_offset_map_is_relative_to_the_map()
    {
        int page = MemoryMap.PageSize;
        var content = TestData.Pattern(2 * page);
        string path = _files.Create(content);
        using var map = MemoryMap.Open(path, 0, MmapAccess.Write, page);
        var buffer = new byte[5];

        map.ReadAt(10, buffer);
        map.WriteAt(20, "abc"u8);

        Assert.Equal(content[(page + 10)..(page + 15)], buffer);
        Assert.Equal("abc"u8.ToArray(), File.ReadAllBytes(path)[(page + 20)..(page + 23)]);
    }

    [Fact]
    public void ReadAt_and_WriteAt_on_a_closed_map_fail_with_ValueError()
    {
        var map = MemoryMap.CreateAnonymous(Size, MmapAccess.Read);
        map.Close();

        AssertClosed(() => map.ReadAt(0, new byte[1]));
        AssertClosed(() => map.ReadAt(-1, new byte[1]));
        AssertClosed(() => map.WriteAt(0, "x"u8));
        AssertClosed(() => map.WriteAt(-1, "x"u8));
    }
}
