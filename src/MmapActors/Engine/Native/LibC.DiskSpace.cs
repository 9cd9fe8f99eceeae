using System.Runtime.InteropServices;

namespace MmapActors.Native;

/// <summary>The free-space look behind <c>mmap.limits.min-free-disk</c> (<see cref="Actors.DiskFloor"/>): kept in its own
/// file so the engine's hot-path interop stays untouched.</summary>
internal static unsafe partial class LibC
{
    [LibraryImport(Library, EntryPoint = "fstatfs", SetLastError = true)]
    private static partial int FstatfsSpace(int fd, SpaceBuffer* buffer);

    [LibraryImport(Library, EntryPoint = "statfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatfsSpace(string path, SpaceBuffer* buffer);

    /// <summary>The fields of <c>struct statfs</c> the floor reads; the same layout on x86-64 and arm64 (64-bit words).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct SpaceBuffer
    {
        [FieldOffset(8)] public long BlockSize;
        [FieldOffset(16)] public ulong Blocks;
        [FieldOffset(32)] public ulong AvailableBlocks;
        [FieldOffset(72)] public long FragmentSize;
    }

    /// <summary>fstatfs(2) of the descriptor's filesystem: the bytes an unprivileged writer can still allocate (blocks
    /// reserved for root do not count) and the filesystem's size.</summary>
    /// <returns>0 on success, otherwise the errno.</returns>
    public static int DiskSpace(int fd, out long available, out long total)
    {
        SpaceBuffer buffer = default;
        if (FstatfsSpace(fd, &buffer) != 0)
        {
            available = total = 0;
            return Marshal.GetLastPInvokeError();
        }
        (available, total) = Space(buffer);
        return 0;
    }

    /// <summary>statfs(2) of the filesystem holding <paramref name="path"/>, as <see cref="DiskSpace(int, out long, out long)"/>.</summary>
    /// <returns>0 on success, otherwise the errno.</returns>
    public static int DiskSpace(string path, out long available, out long total)
    {
        SpaceBuffer buffer = default;
        if (StatfsSpace(path, &buffer) != 0)
        {
            available = total = 0;
            return Marshal.GetLastPInvokeError();
        }
        (available, total) = Space(buffer);
        return 0;
    }

    private static (long Available, long Total) Space(in SpaceBuffer buffer)
    {
        // Block counts are in units of f_frsize (glibc's statvfs does the same; f_bsize where a filesystem leaves it 0).
        ulong unit = (ulong)(buffer.FragmentSize > 0 ? buffer.FragmentSize : Math.Max(buffer.BlockSize, 1));
        return (Bytes(buffer.AvailableBlocks, unit), Bytes(buffer.Blocks, unit));
    }

    private static long Bytes(ulong blocks, ulong unit) =>
        blocks > (ulong)long.MaxValue / unit ? long.MaxValue : (long)(blocks * unit);
}
