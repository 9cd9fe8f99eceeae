using static MmapActors.Tests.Engine.MmapAssert;

namespace MmapActors.Tests.Engine;

/// <summary>m[i], m[i] = v, m[i:j:k], m[i:j:k] = b and del (catalogue §3.12), against a slice reference model.</summary>
public sealed class MemoryMapSliceTests : IDisposable
{
    private const int Size = 40;
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    /// <summary>CPython's test_extended_getslice bounds and steps (sys.maxsize is long.MaxValue here).</summary>
    private static readonly long?[] SliceBounds = [null, 0, 1, 3, 19, 300, long.MaxValue, -1, -2, -31, -300, long.MinValue];

    private static readonly long?[] SliceSteps = [null, 1, 2, 3, 19, 300, long.MaxValue, -1, -2, -31, -300, -long.MaxValue, long.MinValue];

    private static MemoryMap AnonymousWith(byte[] content, MmapAccess access = MmapAccess.Default)
    {
        var map = MemoryMap.CreateAnonymous(content.Length, access == MmapAccess.Read ? MmapAccess.Default : access);
        map.Write(content);
        map.Seek(0);
        return map;
    }

    [Fact]
    public void Indexer_returns_each_byte_as_an_int()
    {
        var content = TestData.Pattern(Size);
        using var map = AnonymousWith(content);

        for (int i = 0; i < Size; i++)
        {
            Assert.Equal(content[i], map[i]);
        }
    }

    [Fact]
    public void Indexer_counts_negative_indices_from_the_end()
    {
        var content = TestData.Pattern(Size);
        using var map = AnonymousWith(content);

        for (int i = -Size; i < 0; i++)
        {
            Assert.Equal(content[Size + i], map[i]);
        }
    }

    [Theory]
    [InlineData(Size)]
    [InlineData(Size + 1)]
    [InlineData(-Size - 1)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    public void Indexer_outside_the_map_fails_with_IndexError(long index)
    {
        using var map = AnonymousWith(TestData.Pattern(Size));

        AssertFailsWithoutChange(map, MmapErrorKind.IndexError, Catalogue.E53_IndexOutOfRange, () => _ = map[index]);
    }

    [Fact]
    public void Indexer_set_writes_one_byte_and_leaves_the_cursor()
    {
        var content = TestData.Pattern(Size);
        using var map = AnonymousWith(content);
        map.Seek(5);

        map[3] = 200;
        map[-1] = 0;

        var expected = content.ToArray();
        expected[3] = 200;
        expected[^1] = 0;
        Assert.Equal(expected, map.ToArray());
        Assert.Equal(5, map.Tell());
    }

    [Theory]
    [InlineData(Size, 1)]
    [InlineData(-Size - 1, 1)]
    [InlineData(long.MaxValue, 1)]
    [InlineData(Size, 300)]
    [InlineData(-Size - 1, -1)]
    public void Indexer_set_outside_the_map_fails_with_IndexError_before_the_value_check(long index, int value)
    {
        using var map = AnonymousWith(TestData.Pattern(Size));

        AssertFailsWithoutChange(map, MmapErrorKind.IndexError, Catalogue.E53_IndexOutOfRange, () => map[index] = value);
    }

    [Theory]
    [InlineData(256)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    public void Indexer_set_with_a_value_outside_0_to_255_fails_with_ValueError(int value)
    {
        using var map = AnonymousWith(TestData.Pattern(Size));

        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E58_ItemValue, () => map[0] = value);
        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E58_ItemValue, () => map[-1] = value);
    }

    [Fact]
    public void Indexer_set_on_a_read_only_map_fails_with_TypeError_before_the_index_and_value_checks()
    {
        string path = _files.Create(TestData.Pattern(Size));
        using var map = MemoryMap.Open(path, 0, MmapAccess.Read);

        AssertFailsWithoutChange(map, MmapErrorKind.TypeError, Catalogue.E22_ReadOnly, () => map[0] = 1, path);
        AssertFailsWithoutChange(map, MmapErrorKind.TypeError, Catalogue.E22_ReadOnly, () => map[100] = 1, path);
        AssertFailsWithoutChange(map, MmapErrorKind.TypeError, Catalogue.E22_ReadOnly, () => map[0] = 300, path);
    }

    [Fact]
    public void GetSlice_agrees_with_the_reference_for_every_start_stop_and_step()
    {
        var content = TestData.Pattern(Size);
        using var map = AnonymousWith(content);

        foreach (var start in SliceBounds)
        {
            foreach (var stop in SliceBounds)
            {
                foreach (var step in SliceSteps)
                {
                    var expected = ReferenceModels.Slice(content, start, stop, step);
                    var actual = map.GetSlice(start, stop, step);
                    Assert.True(expected.AsSpan().SequenceEqual(actual), $"m[{start}:{stop}:{step}]");
                }
            }
        }
        Assert.Equal(0, map.Tell());
    }

    [Fact]
    public void GetSlice_with_every_small_bound_and_negative_step_agrees_with_the_reference()
    {
        var content = TestData.Pattern(Size);
        string path = _files.Create(content);
        using var map = MemoryMap.Open(path, 0, MmapAccess.Read);

        for (long start = -Size - 2; start <= Size + 2; start++)
        {
            for (long stop = -Size - 2; stop <= Size + 2; stop++)
            {
                foreach (long step in new long[] { -1, -2, -7, 1, 4 })
                {
                    Assert.Equal(ReferenceModels.Slice(content, start, stop, step), map.GetSlice(start, stop, step));
                }
            }
        }
    }

    [Fact]
    public void GetSlice_with_every_bound_omitted_copies_the_map_and_a_step_of_minus_one_reverses_it()
    {
        var content = TestData.Pattern(Size);
        using var map = AnonymousWith(content);

        Assert.Equal(content, map.GetSlice(null, null));
        Assert.Equal(content.Reverse().ToArray(), map.GetSlice(null, null, -1));
    }

    [Fact]
    public void GetSlice_out_of_range_or_reversed_bounds_give_empty()
    {
        using var map = AnonymousWith(TestData.Pattern(Size));

        Assert.Empty(map.GetSlice(100, 200));
        Assert.Empty(map.GetSlice(5, 2));
        Assert.Empty(map.GetSlice(2, 5, -1));
    }

    [Fact]
    public void GetSlice_with_step_zero_fails_with_ValueError()
    {
        using var map = AnonymousWith(TestData.Pattern(Size));

        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E56_StepZero, () => map.GetSlice(null, null, 0));
        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E56_StepZero, () => map.GetSlice(100, -100, 0));
    }

    [Fact]
    public void SetSlice_agrees_with_the_reference_for_every_start_stop_and_step()
    {
        var original = TestData.Pattern(Size);
        using var map = AnonymousWith(original);
        int seed = 1;

        foreach (var start in SliceBounds)
        {
            foreach (var stop in SliceBounds)
            {
                foreach (var step in SliceSteps)
                {
                    map.SetSlice(null, null, null, original);
                    var indices = ReferenceModels.SliceIndices(Size, start, stop, step);
                    var value = TestData.Pattern(indices.Count, seed++);
                    var expected = original.ToArray();
                    for (int i = 0; i < indices.Count; i++)
                    {
                        expected[indices[i]] = value[i];
                    }

                    map.SetSlice(start, stop, step, value);

                    Assert.True(expected.AsSpan().SequenceEqual(map.ToArray()), $"m[{start}:{stop}:{step}] = {indices.Count} bytes");
                }
            }
        }
        Assert.Equal(0, map.Tell());
    }

    [Theory]
    [InlineData(0L, 10L, null, 9)]
    [InlineData(0L, 10L, null, 11)]
    [InlineData(null, null, -1L, Size - 1)]
    [InlineData(null, null, 2L, Size / 2 + 1)]
    [InlineData(100L, 200L, null, 1)]
    [InlineData(-1L, -5L, -2L, 3)]
    public void SetSlice_of_the_wrong_length_fails_with_IndexError_and_writes_nothing(long? start, long? stop, long? step, int length)
    {
        string path = _files.Create(TestData.Pattern(Size));
        using var map = MemoryMap.Open(path);

        AssertFailsWithoutChange(map, MmapErrorKind.IndexError, Catalogue.E62_SliceWrongSize,
            () => map.SetSlice(start, stop, step, TestData.Pattern(length, seed: 5)), path);
    }

    [Fact]
    public void SetSlice_of_an_empty_slice_with_empty_data_succeeds_and_changes_nothing()
    {
        var content = TestData.Pattern(Size);
        using var map = AnonymousWith(content);

        map.SetSlice(5, 2, null, []);
        map.SetSlice(100, 200, null, []);

        Assert.Equal(content, map.ToArray());
    }

    [Fact]
    public void SetSlice_with_step_zero_fails_with_ValueError_before_the_length_check()
    {
        using var map = AnonymousWith(TestData.Pattern(Size));

        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E56_StepZero, () => map.SetSlice(null, null, 0, []));
        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E56_StepZero, () => map.SetSlice(0, 3, 0, new byte[3]));
    }

    [Fact]
    public void SetSlice_on_a_read_only_map_fails_with_TypeError_before_the_step_and_length_checks()
    {
        string path = _files.Create(TestData.Pattern(Size));
        using var map = MemoryMap.Open(path, 0, MmapAccess.Read);

        AssertFailsWithoutChange(map, MmapErrorKind.TypeError, Catalogue.E22_ReadOnly, () => map.SetSlice(0, 3, null, new byte[3]), path);
        AssertFailsWithoutChange(map, MmapErrorKind.TypeError, Catalogue.E22_ReadOnly, () => map.SetSlice(0, 3, 0, new byte[3]), path);
        AssertFailsWithoutChange(map, MmapErrorKind.TypeError, Catalogue.E22_ReadOnly, () => map.SetSlice(0, 3, null, new byte[7]), path);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(Size - 1)]
    [InlineData(-1)]
    [InlineData(-Size)]
    public void DeleteItem_in_range_fails_with_TypeError(long index)
    {
        using var map = AnonymousWith(TestData.Pattern(Size));

        AssertFailsWithoutChange(map, MmapErrorKind.TypeError, Catalogue.E64_ItemDeletion, () => map.DeleteItem(index));
    }

    [Theory]
    [InlineData(Size)]
    [InlineData(-Size - 1)]
    [InlineData(long.MaxValue)]
    public void DeleteItem_out_of_range_fails_with_IndexError_first(long index)
    {
        using var map = AnonymousWith(TestData.Pattern(Size));

        AssertFailsWithoutChange(map, MmapErrorKind.IndexError, Catalogue.E53_IndexOutOfRange, () => map.DeleteItem(index));
    }

    [Fact]
    public void DeleteItem_on_a_read_only_map_fails_with_the_read_only_TypeError_even_out_of_range()
    {
        string path = _files.Create(TestData.Pattern(Size));
        using var map = MemoryMap.Open(path, 0, MmapAccess.Read);

        AssertFailsWithoutChange(map, MmapErrorKind.TypeError, Catalogue.E22_ReadOnly, () => map.DeleteItem(0), path);
        AssertFailsWithoutChange(map, MmapErrorKind.TypeError, Catalogue.E22_ReadOnly, () => map.DeleteItem(Size), path);
    }

    [Theory]
    [InlineData(0L, 10L, null)]
    [InlineData(null, null, null)]
    [InlineData(5L, 2L, null)]
    [InlineData(null, null, -1L)]
    public void DeleteSlice_fails_with_TypeError(long? start, long? stop, long? step)
    {
        using var map = AnonymousWith(TestData.Pattern(Size));

        AssertFailsWithoutChange(map, MmapErrorKind.TypeError, Catalogue.E65_SliceDeletion, () => map.DeleteSlice(start, stop, step));
    }

    [Fact]
    public void DeleteSlice_with_step_zero_fails_with_ValueError()
    {
        using var map = AnonymousWith(TestData.Pattern(Size));

        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E56_StepZero, () => map.DeleteSlice(null, null, 0));
    }

    [Fact]
    public void DeleteSlice_on_a_read_only_map_fails_with_the_read_only_TypeError_before_the_step_check()
    {
        string path = _files.Create(TestData.Pattern(Size));
        using var map = MemoryMap.Open(path, 0, MmapAccess.Read);

        AssertFailsWithoutChange(map, MmapErrorKind.TypeError, Catalogue.E22_ReadOnly, () => map.DeleteSlice(0, 1), path);
        AssertFailsWithoutChange(map, MmapErrorKind.TypeError, Catalogue.E22_ReadOnly, () => map.DeleteSlice(null, null, 0), path);
    }

    [Fact]
    public void Slices_and_items_on_a_file_map_read_and_write_the_file()
    {
        var content = TestData.Pattern(Size);
        string path = _files.Create(content);
        using var map = MemoryMap.Open(path);

        map.SetSlice(-1, -10, -3, "abc"u8);

        var expected = content.ToArray();
        foreach (var (index, value) in ReferenceModels.SliceIndices(Size, -1, -10, -3).Zip("abc"u8.ToArray()))
        {
            expected[index] = value;
        }
        Assert.Equal(expected, File.ReadAllBytes(path));
        Assert.Equal(ReferenceModels.Slice(expected, null, null, -3), map.GetSlice(null, null, -3));
    }
}
