using System.Runtime.InteropServices;

namespace MmapActors.Native;

/// <summary>The look behind <see cref="ServedRoot.SweepStaleUploads"/>: kept in its own file so the engine's hot-path
/// interop stays untouched.</summary>
internal static unsafe partial class LibC
{
    /// <summary>Whether <paramref name="name"/> in a directory is a regular file, and when it was last modified: one
    /// statx(2) relative to the directory's descriptor that never follows a symlink (<c>AT_SYMLINK_NOFOLLOW</c>), so a
    /// link is seen as a link, whatever it points to.</summary>
    /// <returns>0 on success, otherwise the errno.</returns>
    public static int RegularFileModifiedAt(int directoryFd, string name, out bool isRegular, out DateTime modifiedUtc)
    {
        StatxIdentityBuffer buffer = default;
        int length = System.Text.Encoding.UTF8.GetByteCount(name);
        Span<byte> path = length < 512 ? stackalloc byte[length + 1] : new byte[length + 1];
        System.Text.Encoding.UTF8.GetBytes(name, path);
        path[length] = 0;
        fixed (byte* bytes = path)
        {
            if (StatxIdentity(directoryFd, bytes, AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_MTIME, &buffer) != 0)
            {
                isRegular = false;
                modifiedUtc = default;
                return Marshal.GetLastPInvokeError();
            }
        }
        isRegular = (buffer.Mode & S_IFMT) == S_IFREG;
        // Clamped to what a DateTime holds: a file dated year 1 or year 9999 by touch(1) must not throw.
        const long MinSeconds = -62_135_596_799, MaxSeconds = 253_402_300_798;
        long seconds = Math.Clamp(buffer.MtimeSeconds, MinSeconds, MaxSeconds);
        modifiedUtc = DateTime.UnixEpoch.AddTicks(seconds * TimeSpan.TicksPerSecond + buffer.MtimeNanoseconds / 100);
        return 0;
    }
}
