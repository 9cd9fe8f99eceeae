using static MmapActors.Tests.Engine.MmapAssert;

namespace MmapActors.Tests.Engine;

/// <summary>move(dest, src, count) against a memmove reference model (catalogue E42, CPython's test_move).</summary>
public sealed class MemoryMapMoveTests : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Move_agrees_with_the_reference_for_every_destination_source_and_count()
    {
        var data = "0123456789"u8.ToArray();
        using var map = MemoryMap.CreateAnonymous(data.Length);
        var candidates = Enumerable.Range(-2, data.Length + 5).Select(i => (long)i)
            .Concat([long.MaxValue, long.MinValue, long.MaxValue - 5]).ToArray();

        foreach (long destination in candidates)
        {
            foreach (long source in candidates)
            {
                foreach (long count in candidates)
                {
                    map.SetSlice(null, null, null, data);
                    map.Seek(3);
                    var expected = data.ToArray();
                    if (ReferenceModels.Move(expected, destination, source, count))
                    {
                        map.Move(destination, source, count);
                        Assert.True(expected.AsSpan().SequenceEqual(map.ToArray()), $"move({destination}, {source}, {count})");
                        Assert.Equal(3, map.Tell());
                    }
                    else
                    {
                        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E42_MoveOutOfRange,
                            () => map.Move(destination, source, count));
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(2, 0, 6)]
    [InlineData(0, 3, 7)]
    [InlineData(1, 0, 9)]
    [InlineData(0, 1, 9)]
    public void Move_copies_overlapping_ranges_as_if_through_a_buffer(long destination, long source, long count)
    {
        var data = "0123456789"u8.ToArray();
        using var map = MemoryMap.CreateAnonymous(data.Length);
        map.Write(data);

        map.Move(destination, source, count);

        Assert.True(ReferenceModels.Move(data, destination, source, count));
        Assert.Equal(data, map.ToArray());
    }

    [Fact]
    public void Move_with_count_zero_to_the_end_is_allowed()
    {
        using var map = MemoryMap.CreateAnonymous(10);

        map.Move(10, 0, 0);
        map.Move(0, 10, 0);
        map.Move(10, 10, 0);
    }

    [Fact]
    public void Move_on_a_one_byte_map_accepts_only_in_range_counts()
    {
        using var map = MemoryMap.CreateAnonymous(1);

        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E42_MoveOutOfRange, () => map.Move(0, 0, 2));
        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E42_MoveOutOfRange, () => map.Move(1, 0, 1));
        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E42_MoveOutOfRange, () => map.Move(0, 1, 1));
        map.Move(0, 0, 1);
        map.Move(0, 0, 0);
    }

    [Fact]
    public void Move_on_a_read_only_map_fails_with_TypeError_before_the_bounds_check()
    {
        string path = _files.Create(TestData.Pattern(10));
        using var map = MemoryMap.Open(path, 0, MmapAccess.Read);

        AssertFailsWithoutChange(map, MmapErrorKind.TypeError, Catalogue.E22_ReadOnly, () => map.Move(0, 1, 2), path);
        AssertFailsWithoutChange(map, MmapErrorKind.TypeError, Catalogue.E22_ReadOnly, () => map.Move(-1, 0, 1), path);
        AssertFailsWithoutChange(map, MmapErrorKind.TypeError, Catalogue.E22_ReadOnly, () => map.Move(0, 0, 100), path);
    }

    [Fact]
    public void Move_on_a_shared_file_map_reaches_the_file()
    {
        var content = TestData.Pattern(100);
        string path = _files.Create(content);
        using var map = MemoryMap.Open(path);

        map.Move(10, 50, 20);

        var expected = content.ToArray();
        Assert.True(ReferenceModels.Move(expected, 10, 50, 20));
        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [Fact]
    public void Move_on_a_copy_map_changes_the_map_but_not_the_file()
    {
        var content = TestData.Pattern(100);
        string path = _files.Create(content);
        using var map = MemoryMap.Open(path, 0, MmapAccess.Copy);

        map.Move(0, 1, 99);

        var expected = content.ToArray();
        Assert.True(ReferenceModels.Move(expected, 0, 1, 99));
        Assert.Equal(expected, map.ToArray());
        Assert.Equal(content, File.ReadAllBytes(path));
    }
}
