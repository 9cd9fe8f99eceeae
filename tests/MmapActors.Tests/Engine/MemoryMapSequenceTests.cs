using System.Collections;
using static MmapActors.Tests.Engine.MmapAssert;

namespace MmapActors.Tests.Engine;

/// <summary>Iteration and <c>in</c> (catalogue §4.5): items are single bytes, membership is not a substring test.</summary>
public sealed class MemoryMapSequenceTests : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Enumeration_yields_every_byte_in_order_without_moving_the_cursor()
    {
        var content = TestData.Pattern(300);
        using var map = MemoryMap.Open(_files.Create(content));
        map.Seek(17);

        Assert.Equal(content, map.ToList());
        Assert.Equal(17, map.Tell());
    }

    [Fact]
    public void Non_generic_enumeration_yields_the_same_bytes()
    {
        var content = TestData.Pattern(20);
        using var map = MemoryMap.Open(_files.Create(content), 0, MmapAccess.Read);

        var items = new List<object>();
        foreach (var item in (IEnumerable)map)
        {
            items.Add(item);
        }

        Assert.Equal(content.Cast<object>(), items);
    }

    [Fact]
    public void Enumerating_a_closed_map_fails_with_ValueError_on_the_first_step()
    {
        var map = MemoryMap.CreateAnonymous(10);
        using var enumerator = map.GetEnumerator();
        map.Close();

        AssertClosed(() => enumerator.MoveNext());
    }

    [Fact]
    public void Closing_the_map_during_enumeration_fails_the_next_step_with_ValueError()
    {
        var map = MemoryMap.CreateAnonymous(10);
        map[0] = 5;
        using var enumerator = map.GetEnumerator();
        Assert.True(enumerator.MoveNext());
        Assert.Equal(5, enumerator.Current);

        map.Close();

        AssertClosed(() => enumerator.MoveNext());
    }

    [Fact]
    public void Shrinking_the_map_during_enumeration_ends_it_at_the_new_length()
    {
        var content = TestData.Pattern(10);
        using var map = MemoryMap.Open(_files.Create(content));
        var seen = new List<byte>();

        foreach (byte item in map)
        {
            seen.Add(item);
            if (seen.Count == 3)
            {
                map.Resize(5);
            }
        }

        Assert.Equal(content[..5], seen);
    }

    [Fact]
    public void Contains_finds_a_single_byte_anywhere_regardless_of_the_cursor()
    {
        using var map = MemoryMap.Open(_files.Create(TestData.Lines));
        map.Seek(0, SeekOrigin.End);

        foreach (byte value in TestData.Lines)
        {
            Assert.True(map.Contains([value]));
        }
        Assert.Equal(TestData.Lines.Length, map.Tell());
    }

    [Fact]
    public void Contains_is_false_for_a_byte_that_does_not_occur()
    {
        using var map = MemoryMap.Open(_files.Create(TestData.Lines));

        for (int value = 0; value < 256; value++)
        {
            Assert.Equal(Array.IndexOf(TestData.Lines, (byte)value) >= 0, map.Contains([(byte)value]));
        }
    }

    [Fact]
    public void Contains_is_a_membership_test_so_longer_or_empty_items_are_never_found()
    {
        using var map = MemoryMap.Open(_files.Create(TestData.Lines));
        Assert.True(map.Find("abc"u8, 0) >= 0);

        Assert.False(map.Contains("ab"u8));
        Assert.False(map.Contains("abc"u8));
        Assert.False(map.Contains([]));
    }

    [Fact]
    public void Contains_on_a_closed_map_fails_with_ValueError()
    {
        var map = MemoryMap.CreateAnonymous(10);
        map.Close();

        AssertClosed(() => map.Contains([0]));
        AssertClosed(() => map.Contains([]));
    }
}
