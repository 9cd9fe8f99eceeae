using static MmapActors.Tests.Engine.MmapAssert;

namespace MmapActors.Tests.Engine;

/// <summary>Leases, the engine's buffer protocol: exports block close and resize (E19, E43), read-only views (E67).</summary>
public sealed class MemoryMapLeaseTests : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void A_lease_exposes_the_maps_memory()
    {
        var content = TestData.Pattern(100);
        using var map = MemoryMap.Open(_files.Create(content), 0, MmapAccess.Read);

        using var lease = map.Lease();

        Assert.Equal(100, lease.Length);
        Assert.Equal(content, lease.GetReadOnlySpan(0, 100).ToArray());
        Assert.Equal(content[10..15], lease.GetReadOnlySpan(10, 5).ToArray());
        Assert.True(lease.GetReadOnlySpan(100, 0).IsEmpty);
    }

    [Fact]
    public void Writes_through_a_lease_reach_the_map_and_a_shared_file()
    {
        var content = TestData.Pattern(100);
        string path = _files.Create(content);
        using var map = MemoryMap.Open(path);

        using (var lease = map.Lease())
        {
            "leased"u8.CopyTo(lease.GetSpan(20, 6));
        }

        var expected = content.ToArray();
        "leased"u8.CopyTo(expected.AsSpan(20));
        Assert.Equal(expected, map.ToArray());
        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [Fact]
    public void Writes_through_a_lease_of_a_copy_map_stay_private()
    {
        var content = TestData.Pattern(100);
        string path = _files.Create(content);
        using var map = MemoryMap.Open(path, 0, MmapAccess.Copy);

        using (var lease = map.Lease())
        {
            Assert.False(lease.IsReadOnly);
            lease.GetSpan(0, 1)[0] = (byte)~content[0];
        }

        Assert.Equal((byte)~content[0], map[0]);
        Assert.Equal(content, File.ReadAllBytes(path));
    }

    [Theory]
    [InlineData(MmapAccess.Read, true)]
    [InlineData(MmapAccess.Write, false)]
    [InlineData(MmapAccess.Default, false)]
    [InlineData(MmapAccess.Copy, false)]
    public void A_lease_is_read_only_exactly_for_read_access_maps(MmapAccess access, bool readOnly)
    {
        using var map = MemoryMap.Open(_files.Create(TestData.Pattern(10)), 0, access);
        using var lease = map.Lease();

        Assert.Equal(readOnly, lease.IsReadOnly);
    }

    [Fact]
    public void A_lease_of_a_read_protection_map_is_read_only()
    {
        using var map = MemoryMap.CreateAnonymous(10, MapFlags.Shared, MapProtection.Read);
        using var lease = map.Lease();

        Assert.True(lease.IsReadOnly);
    }

    [Fact]
    public void GetSpan_on_a_read_only_lease_fails_with_TypeError()
    {
        string path = _files.Create(TestData.Pattern(10));
        using var map = MemoryMap.Open(path, 0, MmapAccess.Read);
        using var lease = map.Lease();

        AssertFailsWithoutChange(map, MmapErrorKind.TypeError, Catalogue.E67_ReadOnlyMemory, () => lease.GetSpan(0, 1), path);
        AssertFailsWithoutChange(map, MmapErrorKind.TypeError, Catalogue.E67_ReadOnlyMemory, () => lease.GetSpan(0, 0), path);
    }

    [Fact]
    public void GetSpan_on_a_read_only_lease_fails_with_TypeError_before_the_range_check()
    {
        // memoryview's ass_subscript checks readonly before it looks at the index: memoryview(m)[100] = 1 on a
        // 10-byte ACCESS_READ map raises TypeError, not IndexError.
        using var map = MemoryMap.Open(_files.Create(TestData.Pattern(10)), 0, MmapAccess.Read);
        using var lease = map.Lease();

        AssertMmapError(MmapErrorKind.TypeError, Catalogue.E67_ReadOnlyMemory, () => lease.GetSpan(100, 1));
        AssertMmapError(MmapErrorKind.TypeError, Catalogue.E67_ReadOnlyMemory, () => lease.GetSpan(-1, 1));
        AssertMmapError(MmapErrorKind.TypeError, Catalogue.E67_ReadOnlyMemory, () => lease.GetSpan(0, 11));
    }

    [Theory]
    [InlineData(-1, 1)]
    [InlineData(0, -1)]
    [InlineData(0, 11)]
    [InlineData(10, 1)]
    [InlineData(11, 0)]
    [InlineData(long.MaxValue, 1)]
    public void A_range_outside_the_lease_is_rejected(long start, int length)
    {
        using var map = MemoryMap.CreateAnonymous(10);
        using var lease = map.Lease();

        Assert.Throws<ArgumentOutOfRangeException>(() => lease.GetSpan(start, length));
        Assert.Throws<ArgumentOutOfRangeException>(() => lease.GetReadOnlySpan(start, length));
    }

    [Fact]
    public void Close_while_leased_fails_with_BufferError_and_the_map_stays_open()
    {
        var content = TestData.Pattern(10);
        using var map = MemoryMap.Open(_files.Create(content));
        var lease = map.Lease();

        AssertFailsWithoutChange(map, MmapErrorKind.BufferError, Catalogue.E19_CloseWhileExported, map.Close);
        AssertFailsWithoutChange(map, MmapErrorKind.BufferError, Catalogue.E19_CloseWhileExported, map.Dispose);

        Assert.False(map.Closed);
        Assert.Equal(content, lease.GetReadOnlySpan(0, 10).ToArray());
        lease.Dispose();
        map.Close();
        Assert.True(map.Closed);
    }

    [Fact]
    public void Close_succeeds_only_after_every_lease_is_released()
    {
        var map = MemoryMap.CreateAnonymous(10);
        var first = map.Lease();
        var second = map.Lease();

        first.Dispose();
        AssertMmapError(MmapErrorKind.BufferError, Catalogue.E19_CloseWhileExported, map.Close);
        second.Dispose();
        map.Close();

        Assert.True(map.Closed);
    }

    [Fact]
    public void Disposing_a_lease_twice_releases_it_only_once()
    {
        var map = MemoryMap.CreateAnonymous(10);
        var first = map.Lease();
        var second = map.Lease();

        first.Dispose();
        first.Dispose();

        Assert.True(first.IsReleased);
        Assert.False(second.IsReleased);
        AssertMmapError(MmapErrorKind.BufferError, Catalogue.E19_CloseWhileExported, map.Close);
        AssertMmapError(MmapErrorKind.BufferError, Catalogue.E43_ResizeExported, () => map.Resize(5));
        second.Dispose();
        map.Close();
    }

    [Fact]
    public void A_released_lease_can_no_longer_give_out_memory()
    {
        using var map = MemoryMap.CreateAnonymous(10);
        var lease = map.Lease();
        Assert.False(lease.IsReleased);

        lease.Dispose();

        Assert.True(lease.IsReleased);
        Assert.Throws<ObjectDisposedException>(() => lease.GetReadOnlySpan(0, 1));
        Assert.Throws<ObjectDisposedException>(() => lease.GetSpan(0, 1));
    }

    [Fact]
    public void Lease_of_a_closed_map_fails_with_ValueError()
    {
        var map = MemoryMap.CreateAnonymous(10);
        map.Close();

        AssertClosed(() => map.Lease());
    }

    [Fact]
    public void Resize_works_again_once_the_lease_is_released()
    {
        string path = _files.Create(TestData.Pattern(100));
        using var map = MemoryMap.Open(path);
        var lease = map.Lease();
        AssertFailsWithoutChange(map, MmapErrorKind.BufferError, Catalogue.E43_ResizeExported, () => map.Resize(50), path);

        lease.Dispose();
        map.Resize(50);

        Assert.Equal(50, map.Length);
        Assert.Equal(50, new FileInfo(path).Length);
    }

    [Fact]
    public void A_lease_does_not_block_reads_writes_or_seeks()
    {
        using var map = MemoryMap.CreateAnonymous(10);
        using var lease = map.Lease();

        map.Write("abc"u8);
        map.Seek(0);

        Assert.Equal("abc"u8.ToArray(), map.Read(3));
        Assert.Equal("abc"u8.ToArray(), lease.GetReadOnlySpan(0, 3).ToArray());
    }
}
