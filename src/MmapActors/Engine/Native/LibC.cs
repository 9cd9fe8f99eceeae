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
    public const int O_EXCL = 0x80;
    public const int O_NOCTTY = 0x100;
    public const int O_PATH = 0x200000;
    public const int AT_EMPTY_PATH = 0x1000;
    public const int S_IFIFO = 0x1000;
    public const int S_IFCHR = 0x2000;
    public const int S_IFDIR = 0x4000;
    public const int S_IFBLK = 0x6000;
    public const int S_IFLNK = 0xA000;
    public const int S_IFSOCK = 0xC000;

    /// <summary>
    /// O_DIRECTORY is one of the few open flags whose value differs between architectures: 0x10000 in the
    /// generic (x86-64) ABI, 0x4000 on arm64, where 0x10000 means O_DIRECT. openat2(2) rejects only unknown
    /// bits, so the wrong value would silently ask for direct I/O instead of a directory check.
    /// </summary>
    public static readonly int O_DIRECTORY = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.Arm64 or Architecture.Arm => 0x4000,
        _ => 0x10000,
    };

    // openat2(2) resolve flags (include/uapi/linux/openat2.h).
    public const ulong RESOLVE_NO_XDEV = 0x01;
    public const ulong RESOLVE_NO_MAGICLINKS = 0x02;
    public const ulong RESOLVE_NO_SYMLINKS = 0x04;
    public const ulong RESOLVE_BENEATH = 0x08;

    /// <summary>openat2's number; 437 on every architecture, because it was added after the syscall tables were unified.</summary>
    public const long SYS_openat2 = 437;

    /// <summary>The longest path the kernel accepts (PATH_MAX, including the terminating NUL).</summary>
    public const int PATH_MAX = 4096;
    public const uint STATX_TYPE = 0x1;
    public const uint STATX_MODE = 0x2;
    public const uint STATX_SIZE = 0x200;
    public const int S_IFMT = 0xF000;
    public const int S_IFREG = 0x8000;

    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EIO = 5;
    public const int EBADF = 9;
    public const int EINTR = 4;
    public const int ENXIO = 6;
    public const int EAGAIN = 11;
    public const int EACCES = 13;
    public const int EEXIST = 17;
    public const int EXDEV = 18;
    public const int ENODEV = 19;
    public const int ENOTDIR = 20;
    public const int EISDIR = 21;
    public const int EINVAL = 22;
    public const int ENOSPC = 28;
    public const int EROFS = 30;
    public const int EDQUOT = 122;
    public const int ENAMETOOLONG = 36;
    public const int ENOSYS = 38;
    public const int ELOOP = 40;
    public const int EILSEQ = 84;

    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

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

    /// <summary>fallocate(2) with mode 0: allocates blocks for [offset, offset + length) and extends the file's
    /// size if that range ends past it, so later writes through a map cannot find the disk full.</summary>
    [LibraryImport(Library, EntryPoint = "fallocate", SetLastError = true)]
    public static partial int Fallocate(int fd, int mode, long offset, long length);

    [LibraryImport(Library, EntryPoint = "fstatfs", SetLastError = true)]
    private static partial int Fstatfs(int fd, StatfsBuffer* buffer);

    /// <summary>The fields of <c>struct statfs</c> the engine reads; the same layout on x86-64 and arm64 (64-bit words).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct StatfsBuffer
    {
        [FieldOffset(8)] public long BlockSize;
        [FieldOffset(32)] public ulong AvailableBlocks;
    }

    /// <summary>fstatfs(2): the bytes an unprivileged writer can still allocate on the descriptor's filesystem.</summary>
    /// <returns>0 on success, otherwise the errno.</returns>
    public static int AvailableBytes(int fd, out long available)
    {
        StatfsBuffer buffer = default;
        if (Fstatfs(fd, &buffer) != 0)
        {
            available = 0;
            return Marshal.GetLastPInvokeError();
        }
        available = (long)Math.Min(buffer.AvailableBlocks * (ulong)buffer.BlockSize, long.MaxValue);
        return 0;
    }

    [LibraryImport(Library, EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);

    [LibraryImport(Library, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);

    // Open-file-description locks (fcntl(2), Linux 3.15+): owned by the open file description, not the process.
    public const int F_OFD_GETLK = 36;
    public const int F_OFD_SETLK = 37;
    public const short F_RDLCK = 0;
    public const short F_WRLCK = 1;
    public const short F_UNLCK = 2;
    public const short SEEK_SET = 0;

    /// <summary><c>struct flock</c>; the same layout on x86-64 and arm64 (two shorts, two 64-bit offsets, a pid).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 32)]
    public struct Flock
    {
        [FieldOffset(0)] public short Type;
        [FieldOffset(2)] public short Whence;
        [FieldOffset(8)] public long Start;
        [FieldOffset(16)] public long Length;
        [FieldOffset(24)] public int Pid; // must be 0 for an OFD lock
    }

    [LibraryImport(Library, EntryPoint = "fcntl", SetLastError = true)]
    private static partial int FcntlFlock(int fd, int command, Flock* lockDescription);

    /// <summary>fcntl(2) with a <c>struct flock</c> (<c>F_OFD_SETLK</c>, <c>F_OFD_GETLK</c>).</summary>
    /// <returns>0 on success, otherwise the errno.</returns>
    public static int FcntlLock(int fd, int command, ref Flock lockDescription)
    {
        fixed (Flock* pointer = &lockDescription)
        {
            return FcntlFlock(fd, command, pointer) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
    }

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

    /// <summary>fstat(2) through statx(2): the file type (the <c>S_IFMT</c> bits of the mode) and the size.</summary>
    /// <returns>0 on success, otherwise the errno.</returns>
    public static int FileType(int fd, out int type, out long size)
    {
        StatxBuffer buffer = default;
        if (Statx(fd, string.Empty, AT_EMPTY_PATH, STATX_TYPE | STATX_SIZE, &buffer) != 0)
        {
            type = 0;
            size = 0;
            return Marshal.GetLastPInvokeError();
        }
        type = buffer.Mode & S_IFMT;
        size = (long)buffer.Size;
        return 0;
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

    /// <summary><c>struct open_how</c> of openat2(2); the kernel takes its size, so the layout is fixed.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    // syscall(2) is variadic. Declaring it with fixed pointer-sized arguments is correct on the two supported
    // ABIs: on x86-64 glibc's syscall is assembly that never reads %al (the vector-register count of a
    // variadic call), and on Linux arm64 variadic arguments are passed exactly like fixed ones. Every argument
    // is pointer-sized so no register carries garbage in its upper half.
    [LibraryImport(Library, EntryPoint = "syscall", SetLastError = true)]
    private static partial nint Syscall(nint number, nint argument1, nint argument2, nint argument3, nint argument4);

    /// <summary>
    /// openat2(2): opens <paramref name="path"/> (a NUL-terminated UTF-8 string) relative to
    /// <paramref name="directoryFd"/> with the given open flags, creation mode and resolve flags.
    /// </summary>
    /// <returns>The new descriptor, or -1 with the errno in <see cref="Marshal.GetLastPInvokeError"/>.</returns>
    public static int OpenAt2(int directoryFd, byte* path, int flags, int mode, ulong resolve)
    {
        var how = new OpenHow { Flags = (ulong)(uint)flags, Mode = (ulong)(uint)mode, Resolve = resolve };
        return (int)Syscall((nint)SYS_openat2, directoryFd, (nint)path, (nint)(&how), sizeof(OpenHow));
    }

    [LibraryImport(Library, EntryPoint = "readlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint Readlink(string path, byte* buffer, nuint size);

    /// <summary>
    /// readlink(2) of <paramref name="path"/>, decoded as strict UTF-8. A target that is not valid UTF-8 gives
    /// EILSEQ instead of a string with U+FFFD replacements: lossy decoding would give two different files the
    /// same name, and the result is used as a file's identity.
    /// </summary>
    /// <returns>0 on success, otherwise the errno.</returns>
    public static int ReadLink(string path, out string target)
    {
        // readlink(2) truncates silently, so a result that fills the buffer may be cut: retry with a larger one.
        for (int size = PATH_MAX; ; size *= 2)
        {
            if (size > 16 * PATH_MAX)
            {
                target = string.Empty;
                return ENAMETOOLONG;
            }
            byte[] buffer = new byte[size];
            nint length;
            fixed (byte* bytes = buffer)
            {
                length = Readlink(path, bytes, (nuint)size);
            }
            if (length < 0)
            {
                target = string.Empty;
                return Marshal.GetLastPInvokeError();
            }
            if (length < size)
            {
                try
                {
                    target = StrictUtf8.GetString(buffer, 0, (int)length);
                    return 0;
                }
                catch (System.Text.DecoderFallbackException)
                {
                    target = string.Empty;
                    return EILSEQ;
                }
            }
        }
    }

    [LibraryImport(Library, EntryPoint = "unlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Unlinkat(int directoryFd, string name, int flags);
}
