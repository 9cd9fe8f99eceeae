using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using MmapActors.Native;

namespace MmapActors;

public sealed unsafe partial class MemoryMap
{
    private const MapProtection DefaultProtection = MapProtection.Read | MapProtection.Write;

    // Flags that only select sharing or tune population. Anything else (MAP_FIXED above all) could make the
    // kernel map over memory the runtime owns, so it is refused instead of passed through (deviation D5).
    private const int AllowedFlags = LibC.MAP_SHARED | LibC.MAP_PRIVATE | 0x0040 /* MAP_32BIT */ | 0x0800 /* MAP_DENYWRITE */ |
                                     0x1000 /* MAP_EXECUTABLE */ | (int)MapFlags.NoReserve | (int)MapFlags.Populate |
                                     0x20000 /* MAP_STACK */;

    /// <summary>
    /// Maps a file by path, like <c>mmap.mmap(open(path, mode).fileno(), length, access=access, offset=offset)</c>.
    /// The file is opened read-only for <see cref="MmapAccess.Read"/> and <see cref="MmapAccess.Copy"/> and
    /// read/write otherwise; the map keeps its own descriptor, so nothing else needs closing.
    /// </summary>
    /// <param name="path">The file to map. It is never created.</param>
    /// <param name="length">Bytes to map; 0 maps from <paramref name="offset"/> to the end of the file.</param>
    /// <param name="access">The access mode.</param>
    /// <param name="offset">Where the map starts in the file; a multiple of <see cref="AllocationGranularity"/>.</param>
    /// <exception cref="MmapException">OSError (<c>FileNotFoundError</c>, <c>PermissionError</c>...) when the
    /// file cannot be opened; otherwise the errors of Python's constructor.</exception>
    public static MemoryMap Open(string path, long length = 0, MmapAccess access = MmapAccess.Default, long offset = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        bool readOnly = access is MmapAccess.Read or MmapAccess.Copy;
        return OpenPath(path, readOnly, fd => Create(fd, length, (int)MapFlags.Shared, (int)DefaultProtection, access, offset, trackFd: true));
    }

    /// <summary>Maps a file by path with Unix-style <paramref name="flags"/> and <paramref name="protection"/>.</summary>
    /// <inheritdoc cref="Open(string, long, MmapAccess, long)"/>
    public static MemoryMap Open(string path, long length, MapFlags flags, MapProtection protection, long offset = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        bool readOnly = (protection & MapProtection.Write) == 0;
        return OpenPath(path, readOnly, fd => Create(fd, length, (int)flags, (int)protection, MmapAccess.Default, offset, trackFd: true));
    }

    /// <summary>Maps an open file, like Python's <c>mmap.mmap(fileno, length, access=..., offset=..., trackfd=...)</c>.</summary>
    /// <param name="handle">The file. The map duplicates the descriptor, so the handle may be closed afterwards.</param>
    /// <param name="length">Bytes to map; 0 maps from <paramref name="offset"/> to the end of the file.</param>
    /// <param name="access">The access mode. The handle must be readable, and writable unless the mode is Read or Copy.</param>
    /// <param name="offset">Where the map starts in the file; a multiple of <see cref="AllocationGranularity"/>.</param>
    /// <param name="trackFd">Python's <c>trackfd</c>: when false, <see cref="Size"/> and <see cref="Resize"/> are refused.</param>
    public static MemoryMap Open(SafeFileHandle handle, long length = 0, MmapAccess access = MmapAccess.Default, long offset = 0, bool trackFd = true)
    {
        ArgumentNullException.ThrowIfNull(handle);
        return WithDescriptor(handle, fd => Create(fd, length, (int)MapFlags.Shared, (int)DefaultProtection, access, offset, trackFd));
    }

    /// <summary>Maps an open file with Unix-style <paramref name="flags"/> and <paramref name="protection"/>.</summary>
    /// <inheritdoc cref="Open(SafeFileHandle, long, MmapAccess, long, bool)"/>
    public static MemoryMap Open(SafeFileHandle handle, long length, MapFlags flags, MapProtection protection, long offset = 0, bool trackFd = true)
    {
        ArgumentNullException.ThrowIfNull(handle);
        return WithDescriptor(handle, fd => Create(fd, length, (int)flags, (int)protection, MmapAccess.Default, offset, trackFd));
    }

    /// <summary>Maps the file behind an open <see cref="FileStream"/>; buffered writes are flushed first so the map sees them.</summary>
    /// <inheritdoc cref="Open(SafeFileHandle, long, MmapAccess, long, bool)"/>
    public static MemoryMap Open(FileStream stream, long length = 0, MmapAccess access = MmapAccess.Default, long offset = 0, bool trackFd = true)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Flush();
        return Open(stream.SafeFileHandle, length, access, offset, trackFd);
    }

    /// <summary>Anonymous memory, like Python's <c>mmap.mmap(-1, length, access=access)</c>: zero-filled, shared unless Copy.</summary>
    /// <param name="length">Bytes to map; must be positive.</param>
    /// <param name="access">The access mode.</param>
    public static MemoryMap CreateAnonymous(long length, MmapAccess access = MmapAccess.Default) =>
        Create(-1, length, (int)MapFlags.Shared, (int)DefaultProtection, access, 0, trackFd: true);

    /// <summary>Anonymous memory with Unix-style <paramref name="flags"/> and <paramref name="protection"/>.</summary>
    public static MemoryMap CreateAnonymous(long length, MapFlags flags, MapProtection protection) =>
        Create(-1, length, (int)flags, (int)protection, MmapAccess.Default, 0, trackFd: true);

    /// <summary>
    /// Python's constructor exactly: <c>mmap.mmap(fileno, length, flags, prot, access, offset, trackfd=...)</c>,
    /// with a raw descriptor (-1 for anonymous memory). The descriptor is duplicated, never taken over.
    /// </summary>
    public static MemoryMap FromFileDescriptor(int fileDescriptor, long length, MapFlags flags = MapFlags.Shared,
        MapProtection protection = DefaultProtection, MmapAccess access = MmapAccess.Default, long offset = 0, bool trackFd = true) =>
        Create(fileDescriptor, length, (int)flags, (int)protection, access, offset, trackFd);

    private static MemoryMap OpenPath(string path, bool readOnly, Func<int, MemoryMap> create)
    {
        // O_NONBLOCK: opening a FIFO must fail at mmap time (ENODEV), not block the caller forever.
        int fd = LibC.Open(path, (readOnly ? LibC.O_RDONLY : LibC.O_RDWR) | LibC.O_CLOEXEC | LibC.O_NONBLOCK, 0);
        if (fd < 0)
        {
            throw MmapException.FromErrno(Marshal.GetLastPInvokeError(), $"'{path}'");
        }
        try
        {
            return create(fd);
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    private static MemoryMap WithDescriptor(SafeFileHandle handle, Func<int, MemoryMap> create)
    {
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            int fd = (int)handle.DangerousGetHandle();
            // -1 means anonymous memory to mmap(2); an invalid handle must not silently become that.
            return fd < 0 || handle.IsInvalid ? throw MmapException.FromErrno(LibC.EBADF) : create(fd);
        }
        catch (ObjectDisposedException)
        {
            throw MmapException.FromErrno(LibC.EBADF);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>CPython's <c>new_mmap_object</c> (Unix), check for check in its order.</summary>
    private static MemoryMap Create(int fd, long length, int flags, int prot, MmapAccess access, long offset, bool trackFd)
    {
        Guard.EnsureInstalled();
        if (length < 0)
        {
            throw new MmapException(MmapErrorKind.OverflowError, "memory mapped length must be positive");
        }
        if (offset < 0)
        {
            throw new MmapException(MmapErrorKind.OverflowError, "memory mapped offset must be positive");
        }
        if (access != MmapAccess.Default && (flags != LibC.MAP_SHARED || prot != (LibC.PROT_READ | LibC.PROT_WRITE)))
        {
            throw new MmapException(MmapErrorKind.ValueError, "mmap can't specify both access and flags, prot.");
        }
        switch (access)
        {
            case MmapAccess.Read:
                flags = LibC.MAP_SHARED;
                prot = LibC.PROT_READ;
                break;
            case MmapAccess.Write:
                flags = LibC.MAP_SHARED;
                prot = LibC.PROT_READ | LibC.PROT_WRITE;
                break;
            case MmapAccess.Copy:
                flags = LibC.MAP_PRIVATE;
                prot = LibC.PROT_READ | LibC.PROT_WRITE;
                break;
            case MmapAccess.Default:
                if ((prot & LibC.PROT_READ) != 0 && (prot & LibC.PROT_WRITE) != 0)
                {
                    // stays Default
                }
                else if ((prot & LibC.PROT_WRITE) != 0)
                {
                    access = MmapAccess.Write;
                }
                else
                {
                    access = MmapAccess.Read;
                }
                break;
            default:
                throw new MmapException(MmapErrorKind.ValueError, "mmap invalid access parameter.");
        }
        // CPython adds MAP_ANONYMOUS itself for descriptor -1, so an explicit one there changes nothing (CPython's own
        // test_find_does_not_access_beyond_buffer passes it). With a real descriptor it would silently map memory
        // instead of the file, so there it stays refused.
        if (fd == -1)
        {
            flags &= ~LibC.MAP_ANONYMOUS;
        }
        if ((flags & ~AllowedFlags) != 0)
        {
            throw new MmapException(MmapErrorKind.ValueError, $"mmap flags 0x{flags & ~AllowedFlags:x} are not supported by MmapActors");
        }
        // Every map is read by the API; a map without PROT_READ (PROT_NONE, or exec-only on some CPUs) would turn
        // the first read into SIGSEGV (deviation D5).
        prot |= LibC.PROT_READ;

        bool regular = false;
        if (fd != -1 && LibC.FileStatus(fd, out regular, out long fileSize) == 0 && regular)
        {
            if (length == 0)
            {
                if (fileSize == 0)
                {
                    throw new MmapException(MmapErrorKind.ValueError, "cannot mmap an empty file");
                }
                if (offset >= fileSize)
                {
                    throw new MmapException(MmapErrorKind.ValueError, "mmap offset is greater than file size");
                }
                length = fileSize - offset;
            }
            else if (offset > fileSize || fileSize - offset < length)
            {
                throw new MmapException(MmapErrorKind.ValueError, "mmap length is greater than file size");
            }
        }

        int ownFd = -1;
        if (fd != -1)
        {
            // The map keeps its own descriptor even with trackfd=False (then only to check for truncation
            // before each access); trackfd=False only changes what size() and resize() report.
            ownFd = LibC.DuplicateCloseOnExec(fd);
            if (ownFd < 0)
            {
                throw MmapException.FromLastError();
            }
        }
        else
        {
            flags |= LibC.MAP_ANONYMOUS;
        }

        nint data = LibC.Mmap(0, (nuint)length, prot, flags, fd, offset);
        if (data == LibC.MapFailed)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (ownFd >= 0)
            {
                LibC.Close(ownFd);
            }
            throw MmapException.FromErrno(errno);
        }
        return new MemoryMap(data, length, offset, ownFd, trackFd, flags, access) { IsAnonymous = fd == -1 };
    }
}
