using static MmapActors.Tests.Engine.MmapAssert;

namespace MmapActors.Tests.Engine;

/// <summary>
/// The engine's documented deviation for a file truncated behind the map's back: where CPython dies of SIGBUS,
/// every map method that would touch a page wholly past the end of the file raises OSError EIO instead and
/// the map stays usable.
/// </summary>
public sealed class MemoryMapTruncationGuardTests : IDisposable
{
    private static readonly int Page = MemoryMap.PageSize;
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static string TruncatedMessage(long fileSize) =>
        $"[Errno 5] Input/output error: the file was truncated to {fileSize} bytes outside this map; " +
        "bytes past its end cannot be accessed until it grows again";

    [Fact]
    public void Access_to_pages_past_an_outside_truncation_fails_with_OSError_EIO_and_the_map_stays_usable()
    {
        var content = TestData.Pattern(3 * Page);
        string path = _files.Create(content);
        using var map = MemoryMap.Open(path);
        map.Seek(10);
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            stream.SetLength(100);
        }
        var backedPage = map.GetSlice(0, Page);
        Action[] touchingTruncatedPages =
        [
            () => _ = map[Page],
            () => map[2 * Page] = 1,
            () => map.Read(),
            () => map.ReadLine(),
            () => map.ToArray(),
            () => map.Find("x"u8, 0),
            () => map.GetSlice(null, null, -1),
            () => map.Move(0, Page, 1),
            () => map.WriteAt(Page, "x"u8),
        ];

        foreach (var act in touchingTruncatedPages)
        {
            AssertOSError(5, TruncatedMessage(100), act);
            Assert.Equal(10, map.Tell());
            Assert.Equal(backedPage, map.GetSlice(0, Page));
            Assert.Equal(100, new FileInfo(path).Length);
        }

        Assert.Equal(content[..100], backedPage[..100]);
        Assert.Equal(new byte[Page - 100], backedPage[100..]);
        Assert.Equal(content[10..20], map.Read(10));
    }

    [Fact]
    public void Access_works_again_once_the_file_grows_back()
    {
        string path = _files.Create(TestData.Pattern(2 * Page));
        using var map = MemoryMap.Open(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        stream.SetLength(10);
        AssertOSError(5, TruncatedMessage(10), () => _ = map[Page]);

        stream.SetLength(2 * Page);

        Assert.Equal(0, map[Page]);
        map[Page] = 9;
        Assert.Equal(9, map[Page]);
    }
}
