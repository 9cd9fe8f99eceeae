using static MmapActors.Tests.Engine.MmapAssert;

namespace MmapActors.Tests.Engine;

/// <summary>seek, tell and seekable (catalogue §3.5).</summary>
public sealed class MemoryMapSeekTests
{
    private const int Size = 100;

    [Fact]
    public void Seek_from_the_beginning_sets_and_returns_the_position()
    {
        using var map = MemoryMap.CreateAnonymous(Size);

        Assert.Equal(42, map.Seek(42));
        Assert.Equal(42, map.Tell());
        Assert.Equal(7, map.Seek(7, SeekOrigin.Begin));
        Assert.Equal(7, map.Tell());
    }

    [Fact]
    public void Seek_from_the_current_position_adds_to_it()
    {
        using var map = MemoryMap.CreateAnonymous(Size);
        map.Seek(40);

        Assert.Equal(50, map.Seek(10, SeekOrigin.Current));
        Assert.Equal(45, map.Seek(-5, SeekOrigin.Current));
        Assert.Equal(45, map.Seek(0, SeekOrigin.Current));
        Assert.Equal(45, map.Tell());
    }

    [Fact]
    public void Seek_from_the_end_adds_to_the_length()
    {
        using var map = MemoryMap.CreateAnonymous(Size);

        Assert.Equal(Size, map.Seek(0, SeekOrigin.End));
        Assert.Equal(Size - 1, map.Seek(-1, SeekOrigin.End));
        Assert.Equal(0, map.Seek(-Size, SeekOrigin.End));
    }

    [Fact]
    public void Seek_to_exactly_the_length_is_allowed()
    {
        using var map = MemoryMap.CreateAnonymous(Size);

        Assert.Equal(Size, map.Seek(Size));
        Assert.Empty(map.Read());
    }

    [Theory]
    [InlineData(-1, SeekOrigin.Begin)]
    [InlineData(Size + 1, SeekOrigin.Begin)]
    [InlineData(long.MaxValue, SeekOrigin.Begin)]
    [InlineData(long.MinValue, SeekOrigin.Begin)]
    [InlineData(1, SeekOrigin.End)]
    [InlineData(-Size - 1, SeekOrigin.End)]
    [InlineData(long.MaxValue, SeekOrigin.End)]
    [InlineData(long.MinValue, SeekOrigin.End)]
    [InlineData(-31, SeekOrigin.Current)]
    [InlineData(Size - 29, SeekOrigin.Current)]
    [InlineData(long.MaxValue, SeekOrigin.Current)]
    [InlineData(long.MinValue, SeekOrigin.Current)]
    public void Seek_outside_0_to_the_length_fails_with_ValueError_and_keeps_the_position(long position, SeekOrigin whence)
    {
        using var map = MemoryMap.CreateAnonymous(Size);
        map.Seek(30);

        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E29_SeekOutOfRange, () => map.Seek(position, whence));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    public void Seek_with_an_unknown_whence_fails_with_ValueError_before_the_range_check(int whence)
    {
        using var map = MemoryMap.CreateAnonymous(Size);
        map.Seek(30);

        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E28_UnknownWhence, () => map.Seek(0, (SeekOrigin)whence));
        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E28_UnknownWhence, () => map.Seek(-1, (SeekOrigin)whence));
        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E28_UnknownWhence, () => map.Seek(long.MaxValue, (SeekOrigin)whence));
    }

    [Fact]
    public void Tell_starts_at_zero()
    {
        using var map = MemoryMap.CreateAnonymous(Size);

        Assert.Equal(0, map.Tell());
    }

    [Fact]
    public void Seekable_is_true_even_after_close()
    {
        var map = MemoryMap.CreateAnonymous(Size);
        Assert.True(map.Seekable);

        map.Close();

        Assert.True(map.Seekable);
    }

    [Fact]
    public void Seek_relative_to_a_position_past_the_end_fails_after_a_shrinking_resize()
    {
        using var map = MemoryMap.CreateAnonymous(Size, MapFlags.Private, MapProtection.Read | MapProtection.Write);
        map.Seek(80);
        map.Resize(50);

        AssertFailsWithoutChange(map, MmapErrorKind.ValueError, Catalogue.E29_SeekOutOfRange, () => map.Seek(0, SeekOrigin.Current));
        Assert.Equal(80, map.Tell());
        Assert.Equal(50, map.Seek(-30, SeekOrigin.Current));
    }

    [Fact]
    public void Seek_on_a_read_only_map_works()
    {
        using var map = MemoryMap.CreateAnonymous(Size, MmapAccess.Read);

        Assert.Equal(10, map.Seek(10));
        Assert.Equal(Size, map.Seek(0, SeekOrigin.End));
    }
}
