namespace MmapActors.Tests.Engine;

/// <summary>Assertions for <see cref="MmapException"/>s and for "a failed operation changes nothing".</summary>
internal static class MmapAssert
{
    /// <summary>
    /// Runs <paramref name="act"/> and asserts that it throws an <see cref="MmapException"/> of exactly
    /// <paramref name="kind"/> with exactly <paramref name="message"/>; an error that is not an OSError carries no errno.
    /// </summary>
    public static MmapException AssertMmapError(MmapErrorKind kind, string message, Action act)
    {
        var error = Assert.Throws<MmapException>(act);
        Assert.Equal(kind, error.Kind);
        Assert.Equal(message, error.Message);
        if (kind != MmapErrorKind.OSError)
        {
            Assert.Null(error.Errno);
        }
        return error;
    }

    /// <summary>Asserts an OSError with <paramref name="errno"/> and CPython's <c>[Errno n] text</c> message.</summary>
    public static MmapException AssertOSError(int errno, string message, Action act)
    {
        var error = AssertMmapError(MmapErrorKind.OSError, message, act);
        Assert.Equal(errno, error.Errno);
        return error;
    }

    /// <summary>Asserts CPython's ValueError for any use of a closed map (E18).</summary>
    public static MmapException AssertClosed(Action act) =>
        AssertMmapError(MmapErrorKind.ValueError, Catalogue.E18_Closed, act);

    /// <summary>
    /// Asserts the error, and that the map (open/closed state, cursor, length, every byte) and, when
    /// <paramref name="file"/> is given, the file on disk are exactly as before.
    /// </summary>
    public static MmapException AssertFailsWithoutChange(MemoryMap map, MmapErrorKind kind, string message, Action act, string? file = null)
    {
        var before = Snapshot.Take(map, file);
        var error = AssertMmapError(kind, message, act);
        Snapshot.Take(map, file).AssertEqual(before);
        return error;
    }

    /// <summary><see cref="AssertFailsWithoutChange"/> for an OSError.</summary>
    public static MmapException AssertOSErrorWithoutChange(MemoryMap map, int errno, string message, Action act, string? file = null)
    {
        var before = Snapshot.Take(map, file);
        var error = AssertOSError(errno, message, act);
        Snapshot.Take(map, file).AssertEqual(before);
        return error;
    }

    /// <summary>The observable state of a map (and optionally its file).</summary>
    public sealed record Snapshot(bool Closed, long Position, long? Length, byte[]? Content, byte[]? File)
    {
        public static Snapshot Take(MemoryMap map, string? file) => map.Closed
            ? new Snapshot(true, map.Position, null, null, file is null ? null : System.IO.File.ReadAllBytes(file))
            : new Snapshot(false, map.Tell(), map.Length, map.ToArray(), file is null ? null : System.IO.File.ReadAllBytes(file));

        public void AssertEqual(Snapshot expected)
        {
            Assert.Equal(expected.Closed, Closed);
            Assert.Equal(expected.Position, Position);
            Assert.Equal(expected.Length, Length);
            Assert.Equal(expected.Content, Content);
            Assert.Equal(expected.File, File);
        }
    }
}
