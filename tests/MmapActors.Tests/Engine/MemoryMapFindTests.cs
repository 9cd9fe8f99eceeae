using static MmapActors.Tests.Engine.MmapAssert;

namespace MmapActors.Tests.Engine;

/// <summary>find and rfind: the cursor default and slice-style clamping of start/end (catalogue §3.6, §4.4).</summary>
public sealed class MemoryMapFindTests : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static MemoryMap Anonymous(byte[] content)
    {
        var map = MemoryMap.CreateAnonymous(content.Length);
        map.Write(content);
        map.Seek(0);
        return map;
    }

    /// <summary>Every bound from well before -len to well past len, plus the 64-bit extremes.</summary>
    private static IEnumerable<long> Bounds(int length)
    {
        for (long i = -length - 3; i <= length + 3; i++)
        {
            yield return i;
        }
        yield return long.MinValue;
        yield return long.MinValue + 1;
        yield return long.MaxValue;
    }

    private static readonly byte[][] Needles =
    [
        "one"u8.ToArray(), "ones"u8.ToArray(), "two"u8.ToArray(), "o"u8.ToArray(), "e"u8.ToArray(),
        " "u8.ToArray(), "s"u8.ToArray(), [], "x"u8.ToArray(), "one two ones"u8.ToArray(), "one two ones!"u8.ToArray(),
    ];

    [Fact]
    public void Find_agrees_with_the_reference_for_every_start_and_end()
    {
        var data = TestData.OneTwoOnes;
        using var map = Anonymous(data);

        foreach (var needle in Needles)
        {
            foreach (long start in Bounds(data.Length))
            {
                Assert.Equal(ReferenceModels.Find(data, needle, start, data.Length), map.Find(needle, start));
                foreach (long end in Bounds(data.Length))
                {
                    long expected = ReferenceModels.Find(data, needle, start, end);
                    long actual = map.Find(needle, start, end);
                    Assert.True(expected == actual, $"find({Show(needle)}, {start}, {end}): expected {expected}, got {actual}");
                }
            }
        }
        Assert.Equal(0, map.Tell());
    }

    [Fact]
    public void RFind_agrees_with_the_reference_for_every_start_and_end()
    {
        var data = TestData.OneTwoOnes;
        using var map = Anonymous(data);

        foreach (var needle in Needles)
        {
            foreach (long start in Bounds(data.Length))
            {
                Assert.Equal(ReferenceModels.Find(data, needle, start, data.Length, reverse: true), map.RFind(needle, start));
                foreach (long end in Bounds(data.Length))
                {
                    long expected = ReferenceModels.Find(data, needle, start, end, reverse: true);
                    long actual = map.RFind(needle, start, end);
                    Assert.True(expected == actual, $"rfind({Show(needle)}, {start}, {end}): expected {expected}, got {actual}");
                }
            }
        }
        Assert.Equal(0, map.Tell());
    }

    [Fact]
    public void Find_and_RFind_locate_every_substring_of_data_with_embedded_nuls_like_the_reference()
    {
        // CPython's test_tougher_find: every substring, with NULs and repeats in the data
        var data = TestData.Ascii("aabaac\0deef\0\0aa\0");
        string path = _files.Create(data);
        using var map = MemoryMap.Open(path);

        for (int start = 0; start <= data.Length; start++)
        {
            for (int end = start; end <= data.Length; end++)
            {
                var slice = data[start..end];
                Assert.Equal(ReferenceModels.Find(data, slice, 0, data.Length), map.Find(slice, 0));
                Assert.Equal(ReferenceModels.Find(data, slice, 0, data.Length, reverse: true), map.RFind(slice, 0));
            }
        }
    }

    [Fact]
    public void Find_defaults_start_to_the_cursor()
    {
        var data = TestData.Lines;
        using var map = Anonymous(data);

        for (int position = 0; position <= data.Length; position++)
        {
            map.Seek(position);
            foreach (var needle in new[] { "abc"u8.ToArray(), "\n"u8.ToArray(), "line"u8.ToArray(), [] })
            {
                Assert.Equal(ReferenceModels.Find(data, needle, position, data.Length), map.Find(needle));
                Assert.Equal(position, map.Tell());
            }
        }
    }

    [Fact]
    public void Find_after_seeking_past_a_match_does_not_see_it()
    {
        using var map = Anonymous(TestData.Lines);

        Assert.Equal(13, map.Find("abc"u8));
        map.Seek(20);

        Assert.Equal(-1, map.Find("abc"u8));
        Assert.Equal(13, map.Find("abc"u8, 0));
    }

    [Fact]
    public void RFind_defaults_start_to_the_cursor_and_ignores_earlier_matches()
    {
        var data = TestData.Lines;
        using var map = Anonymous(data);

        Assert.Equal(16, map.RFind("abc"u8));
        map.Seek(17);
        Assert.Equal(-1, map.RFind("abc"u8));
        Assert.Equal(16, map.RFind("abc"u8, 0));

        for (int position = 0; position <= data.Length; position++)
        {
            map.Seek(position);
            Assert.Equal(ReferenceModels.Find(data, "\n"u8.ToArray(), position, data.Length, reverse: true), map.RFind("\n"u8));
        }
    }

    [Fact]
    public void Find_requires_the_match_to_lie_wholly_before_end()
    {
        using var map = Anonymous(TestData.Lines);

        Assert.Equal(13, map.Find("abc"u8, 0, 16));
        Assert.Equal(-1, map.Find("abc"u8, 0, 15));
        Assert.Equal(13, map.RFind("abc"u8, 0, 18));
    }

    [Fact]
    public void Find_of_an_empty_needle_clamps_a_start_past_the_end_to_the_length()
    {
        // catalogue §4.4: m.find(b'', 13) on a 12-byte map is 12 (bytes.find would give -1)
        using var map = Anonymous(TestData.OneTwoOnes);

        Assert.Equal(12, map.Find([], 13));
        Assert.Equal(12, map.Find([], long.MaxValue));
        Assert.Equal(12, map.RFind([]));
        Assert.Equal(-1, map.Find([], 5, 3));
    }

    [Fact]
    public void Find_with_a_cursor_past_the_end_after_a_shrinking_resize_searches_from_the_length()
    {
        string path = _files.Create(TestData.OneTwoOnes);
        using var map = MemoryMap.Open(path);
        map.Seek(12);
        map.Resize(8);

        Assert.Equal(8, map.Find([]));
        Assert.Equal(-1, map.Find("o"u8));
        Assert.Equal(8, map.RFind([]));
        Assert.Equal(12, map.Tell());
    }

    [Fact]
    public void Find_on_an_offset_map_returns_indices_relative_to_the_map()
    {
        int page = MemoryMap.PageSize;
        var content = new byte[2 * page];
        "needle"u8.CopyTo(content.AsSpan(page + 10));
        "needle"u8.CopyTo(content.AsSpan(5));
        using var map = MemoryMap.Open(_files.Create(content), 0, MmapAccess.Read, page);

        Assert.Equal(10, map.Find("needle"u8));
        Assert.Equal(10, map.RFind("needle"u8));
    }

    [Fact]
    public void Find_of_a_needle_longer_than_the_map_returns_minus_one()
    {
        using var map = Anonymous(TestData.OneTwoOnes);

        Assert.Equal(-1, map.Find(new byte[13], 0));
        Assert.Equal(-1, map.RFind(new byte[13], 0));
    }

    [Fact]
    public void Find_over_a_large_file_map_finds_a_needle_straddling_a_page_boundary()
    {
        int page = MemoryMap.PageSize;
        var content = new byte[4 * page];
        "boundary"u8.CopyTo(content.AsSpan(2 * page - 3));
        using var map = MemoryMap.Open(_files.Create(content));

        Assert.Equal(2 * page - 3, map.Find("boundary"u8));
        Assert.Equal(2 * page - 3, map.RFind("boundary"u8, 0));
        Assert.Equal(-1, map.Find("boundary"u8, 2 * page - 2));
        Assert.Equal(-1, map.RFind("boundary"u8, 0, 2 * page + 4));
    }

    [Fact]
    public void Find_and_RFind_on_a_closed_map_fail_with_ValueError()
    {
        var map = Anonymous(TestData.OneTwoOnes);
        map.Close();

        AssertClosed(() => map.Find("one"u8));
        AssertClosed(() => map.Find("one"u8, 0));
        AssertClosed(() => map.Find("one"u8, 0, 5));
        AssertClosed(() => map.RFind("one"u8));
        AssertClosed(() => map.RFind("one"u8, 0));
        AssertClosed(() => map.RFind("one"u8, 0, 5));
    }

    private static string Show(byte[] bytes) => $"b'{System.Text.Encoding.ASCII.GetString(bytes)}'";
}
