using System.Runtime.InteropServices;

namespace MmapActors.Native;

/// <summary>What identifies a file's current version cheaply: which inode it is, whether it is still linked, its size
/// and its modification time (one statx(2), no path lookup). The HTTP data plane builds its validators from it.</summary>
internal readonly record struct FileIdentity(ulong Device, ulong Inode, uint Links, bool IsRegular, long Size, long ModifiedSeconds, uint ModifiedNanoseconds)
{
    /// <summary>The modification time as a UTC date (to the 100 ns tick).</summary>
    public DateTime Modified => DateTime.UnixEpoch.AddTicks(ModifiedSeconds * TimeSpan.TicksPerSecond + ModifiedNanoseconds / 100);
}

internal static unsafe partial class LibC
{
    private const uint STATX_NLINK = 0x4;
    private const uint STATX_MTIME = 0x40;
    private const uint STATX_INO = 0x100;

    /// <summary>The fields of <c>struct statx</c> that <see cref="FileIdentity"/> reads (same layout on every architecture).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxIdentityBuffer
    {
        [FieldOffset(16)] public uint Nlink;
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(32)] public ulong Ino;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(112)] public long MtimeSeconds;
        [FieldOffset(120)] public uint MtimeNanoseconds;
        [FieldOffset(136)] public uint DevMajor;
        [FieldOffset(140)] public uint DevMinor;
    }

    [LibraryImport(Library, EntryPoint = "statx", SetLastError = true)]
    private static partial int StatxIdentity(int dirfd, byte* path, int flags, uint mask, StatxIdentityBuffer* buffer);

    /// <summary>fstat(2) through statx(2): the identity of an open file.</summary>
    /// <returns>0 on success, otherwise the errno.</returns>
    public static int Identify(int fd, out FileIdentity identity)
    {
        StatxIdentityBuffer buffer = default;
        byte emptyPath = 0; // "": the descriptor itself (AT_EMPTY_PATH), with no string to marshal on this per-request path
        if (StatxIdentity(fd, &emptyPath, AT_EMPTY_PATH, STATX_TYPE | STATX_MODE | STATX_NLINK | STATX_INO | STATX_SIZE | STATX_MTIME, &buffer) != 0)
        {
            identity = default;
            return Marshal.GetLastPInvokeError();
        }
        identity = IdentityOf(buffer);
        return 0;
    }

    [LibraryImport(Library, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatxIdentityAt(int dirfd, string path, int flags, uint mask, StatxIdentityBuffer* buffer);

    /// <summary>The identity of <paramref name="name"/> in a directory, looked at without following a symlink
    /// (<c>AT_SYMLINK_NOFOLLOW</c>): a link is seen as a link, whatever it points to.</summary>
    /// <returns>0 on success, otherwise the errno.</returns>
    public static int IdentifyAt(int directoryFd, string name, out FileIdentity identity)
    {
        StatxIdentityBuffer buffer = default;
        if (StatxIdentityAt(directoryFd, name, AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_MODE | STATX_NLINK | STATX_INO | STATX_SIZE | STATX_MTIME, &buffer) != 0)
        {
            identity = default;
            return Marshal.GetLastPInvokeError();
        }
        identity = IdentityOf(buffer);
        return 0;
    }

    private static FileIdentity IdentityOf(in StatxIdentityBuffer buffer) =>
        new(((ulong)buffer.DevMajor << 32) | buffer.DevMinor, buffer.Ino, buffer.Nlink, (buffer.Mode & S_IFMT) == S_IFREG,
            (long)buffer.Size, buffer.MtimeSeconds, buffer.MtimeNanoseconds);
}
