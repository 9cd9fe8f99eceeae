using System.Runtime.InteropServices;

namespace MmapActors.Native;

/// <summary>The calls behind committed uploads (<see cref="ServedRoot.CommitTemporary"/>): kept in their own file so
/// the engine's hot-path interop stays untouched.</summary>
internal static unsafe partial class LibC
{
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int EOPNOTSUPP = 95;

    [LibraryImport(Library, EntryPoint = "renameat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Renameat(int oldDirectoryFd, string oldName, int newDirectoryFd, string newName);

    [LibraryImport(Library, EntryPoint = "fchmod", SetLastError = true)]
    public static partial int Fchmod(int fd, int mode);

    /// <summary>The permission bits (<c>07777</c>) of <paramref name="name"/> in a directory, not following a final
    /// symlink; <paramref name="isRegular"/> tells whether it is a regular file.</summary>
    /// <returns>0 on success, otherwise the errno.</returns>
    public static int ModeAt(int directoryFd, string name, out int permissions, out bool isRegular)
    {
        StatxBuffer buffer = default;
        if (Statx(directoryFd, name, AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_MODE, &buffer) != 0)
        {
            permissions = 0;
            isRegular = false;
            return Marshal.GetLastPInvokeError();
        }
        permissions = buffer.Mode & 0xFFF;
        isRegular = (buffer.Mode & S_IFMT) == S_IFREG;
        return 0;
    }
}
