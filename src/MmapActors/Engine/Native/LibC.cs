using System.Runtime.InteropServices;

namespace MmapActors.Native;

/// <summary>
/// The few libc calls the engine needs. The engine calls mmap(2) and friends directly instead of going
/// through <see cref="System.IO.MemoryMappedFiles.MemoryMappedFile"/> because Python's mmap is a thin
/// wrapper over exactly these calls: resizing needs mremap(2), unaligned offsets must fail with the
/// kernel's EINVAL, flush must msync the exact range, and error numbers must be the kernel's.
/// </summary>
internal static unsafe partial class LibC
{
    private const string Library = "libc";

    public const int PROT_READ = 1;
    public const int PROT_WRITE = 2;
    public const int MAP_SHARED = 1;
    public const int MAP_PRIVATE = 2;
    public const int MAP_ANONYMOUS = 0x20;
    public const int MS_SYNC = 4;
    public const int MREMAP_MAYMOVE = 1;
    public const int F_DUPFD_CLOEXEC = 1030;
    public const int O_RDONLY = 0;
    public const int O_WRONLY = 1;
    public const int O_RDWR = 2;
    public const int O_CREAT = 0x40;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;
    public const int AT_EMPTY_PATH = 0x1000;
    public const uint STATX_TYPE = 0x1;
    public const uint STATX_MODE = 0x2;
    public const uint STATX_SIZE = 0x200;
    public const int S_IFMT = 0xF000;
    public const int S_IFREG = 0x8000;

    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EIO = 5;
    public const int EBADF = 9;
    public const int EACCES = 13;
    public const int EINVAL = 22;

    public static readonly nint MapFailed = -1;

    [LibraryImport(Library, EntryPoint = "mmap", SetLastError = true)]
    public static partial nint Mmap(nint address, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport(Library, EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(nint address, nuint length);

    [LibraryImport(Library, EntryPoint = "mremap", SetLastError = true)]
    public static partial nint Mremap(nint oldAddress, nuint oldSize, nuint newSize, int flags);

    [LibraryImport(Library, EntryPoint = "msync", SetLastError = true)]
    public static partial int Msync(nint address, nuint length, int flags);

    [LibraryImport(Library, EntryPoint = "madvise", SetLastError = true)]
    public static partial int Madvise(nint address, nuint length, int advice);

    [LibraryImport(Library, EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int Ftruncate(int fd, long length);

    [LibraryImport(Library, EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);

    [LibraryImport(Library, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, int mode);

    [LibraryImport(Library, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, StatxBuffer* buffer);

    /// <summary>The two fields of <c>struct statx</c> the engine reads; the layout is the same on every architecture.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(40)] public ulong Size;
    }

    /// <summary>fstat(2) through statx(2), whose layout does not depend on the architecture.</summary>
    /// <returns>0 on success, otherwise the errno.</returns>
    public static int FileStatus(int fd, out bool isRegular, out long size)
    {
        StatxBuffer buffer = default;
        if (Statx(fd, string.Empty, AT_EMPTY_PATH, STATX_TYPE | STATX_MODE | STATX_SIZE, &buffer) != 0)
        {
            isRegular = false;
            size = 0;
            return Marshal.GetLastPInvokeError();
        }
        isRegular = (buffer.Mode & S_IFMT) == S_IFREG;
        size = (long)buffer.Size;
        return 0;
    }

    [LibraryImport(Library, EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint Realpath(string path, nint resolved);

    /// <summary>realpath(3): the canonical absolute path, every symlink resolved.</summary>
    /// <returns>0 on success, otherwise the errno.</returns>
    public static int CanonicalPath(string path, out string canonical)
    {
        nint resolved = Realpath(path, 0);
        if (resolved == 0)
        {
            canonical = path;
            return Marshal.GetLastPInvokeError();
        }
        try
        {
            canonical = Marshal.PtrToStringUTF8(resolved)!;
            return 0;
        }
        finally
        {
            NativeMemory.Free((void*)resolved);
        }
    }

    /// <summary>dup(2) with close-on-exec, like CPython's <c>_Py_dup</c> (the copy is never inherited).</summary>
    public static int DuplicateCloseOnExec(int fd) => Fcntl(fd, F_DUPFD_CLOEXEC, 0);
}
