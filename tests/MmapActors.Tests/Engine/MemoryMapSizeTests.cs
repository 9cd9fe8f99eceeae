using static MmapActors.Tests.Engine.MmapAssert;

namespace MmapActors.Tests.Engine;

/// <summary>size() is the file's size, len(m) the map's (catalogue §3.11, §4.3).</summary>
public sealed class MemoryMapSizeTests : IDisposable
{
    private static readonly int Page = MemoryMap.PageSize;
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Size_is_the_file_size_not_the_map_length()
    {
        string path = _files.Create(TestData.Pattern(1000));
        using var map = MemoryMap.Open(path, 10);

        Assert.Equal(10, map.Length);
        Assert.Equal(1000, map.Size());
    }

    [Fact]
    public void Size_includes_the_bytes_before_the_offset()
    {
        string path = _files.Create(TestData.Pattern(4 * Page));
        using var map = MemoryMap.Open(path, 0, MmapAccess.Read, Page);

        Assert.Equal(3 * Page, map.Length);
        Assert.Equal(4 * Page, map.Size());
    }

    [Fact]
    public void Size_sees_the_file_grow_from_outside_while_the_length_stays()
    {
        string path = _files.Create(TestData.Pattern(100));
        using var map = MemoryMap.Open(path, 0, MmapAccess.Read);
        using (var stream = new FileStream(path, FileMode.Append, FileAccess.Write))
        {
            stream.Write(new byte[50]);
        }

        Assert.Equal(150, map.Size());
        Assert.Equal(100, map.Length);
    }

    [Theory]
    [InlineData(MmapAccess.Default)]
    [InlineData(MmapAccess.Copy)]
    [InlineData(MmapAccess.Read)]
    public void Size_of_an_anonymous_map_fails_with_OSError_EBADF(MmapAccess access)
    {
        using var map = MemoryMap.CreateAnonymous(100, access);

        var error = AssertOSErrorWithoutChange(map, Catalogue.EBADF, Catalogue.Ebadf, () => map.Size());

        Assert.Equal("OSError", error.PythonTypeName);
    }

    [Fact]
    public void Size_without_fd_tracking_fails_with_OSError_EBADF()
    {
        string path = _files.Create(TestData.Pattern(100));
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        using var map = MemoryMap.Open(handle, trackFd: false);
        using var anonymous = MemoryMap.FromFileDescriptor(-1, 100, trackFd: false);

        AssertOSErrorWithoutChange(map, Catalogue.EBADF, Catalogue.Ebadf, () => map.Size(), path);
        AssertOSErrorWithoutChange(anonymous, Catalogue.EBADF, Catalogue.Ebadf, () => anonymous.Size());
        Assert.Equal(100, map.Length);
    }

    [Fact]
    public void Length_follows_resize()
    {
        string path = _files.Create(TestData.Pattern(100));
        using var map = MemoryMap.Open(path);

        map.Resize(40);

        Assert.Equal(40, map.Length);
        Assert.Equal(40, map.Size());
    }

    [Fact]
    public void Size_and_Length_of_a_closed_map_fail_with_ValueError_before_any_other_error()
    {
        var file = MemoryMap.Open(_files.Create(TestData.Pattern(100)));
        var anonymous = MemoryMap.CreateAnonymous(100);
        file.Close();
        anonymous.Close();

        AssertClosed(() => file.Size());
        AssertClosed(() => _ = file.Length);
        AssertClosed(() => anonymous.Size());
        AssertClosed(() => _ = anonymous.Length);
    }
}
