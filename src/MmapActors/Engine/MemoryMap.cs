using System.Collections;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using MmapActors.Native;

namespace MmapActors;

/// <summary>
/// A memory-mapped file or anonymous memory with the behaviour of CPython 3.13's <c>mmap.mmap</c> on Linux:
/// the same members, results, errors (as <see cref="MmapException"/> with CPython's class and message) and
/// edge cases. Where CPython kills the process (SIGBUS after <c>resize(0)</c>, after a truncation from
/// outside, when a write into a hole finds the disk full, after growing a shared anonymous map) a <see cref="MemoryMap"/> raises an
/// <see cref="MmapException"/> instead and stays usable; <c>docs/conformance.md</c> lists every deviation.
/// </summary>
/// <remarks>
/// <para>A <see cref="MemoryMap"/> is not thread-safe, like the CPython object it mirrors: one owner
/// (in MmapActors, one actor) serializes every call.</para>
/// <para>The map holds one mapping for its whole life (re-created only by <see cref="Resize"/>) and its own
/// duplicate of the file descriptor. Data is copied to and from the mapping by a small native routine that survives
/// SIGBUS (see <c>MemoryMap.Guarded.cs</c>): a page cut off by a truncation raises OSError errno 5, a write into a
/// hole the filesystem has no space for raises OSError errno 28, and the process goes on. Every method
/// that touches that address calls <see cref="GC.KeepAlive"/> after the access: the finalizer unmaps a map
/// its owner forgot to close, and the JIT may let a map be collected as soon as a method no longer reads its
/// fields, even while a long copy or search through the raw address is still running.</para>
/// </remarks>
public sealed unsafe partial class MemoryMap : IDisposable, IEnumerable<byte>
{
    /// <summary>Chunk size for span operations: spans are limited to <see cref="int.MaxValue"/> bytes.</summary>
    internal const int MaxChunk = 1 << 30;

    private nint _data;
    private long _size;
    private long _position;
    private readonly long _offset;
    private int _fd;
    private readonly bool _trackFd;
    private readonly int _flags;
    private MmapAccess _access;
    private int _exports;
    private bool _fsyncPending;
    private int _writebackErrno;

    private MemoryMap(nint data, long size, long offset, int fd, bool trackFd, int flags, MmapAccess access)
    {
        _data = data;
        _size = size;
        _offset = offset;
        _fd = fd;
        _trackFd = trackFd;
        _flags = flags;
        _access = access;
    }

    /// <summary>
    /// Releases the descriptor of a map its owner forgot to close, and its mapping unless a lease was never
    /// disposed: the lease can be garbage while a span it handed out is still in use, so that mapping is
    /// leaked rather than unmapped under the span.
    /// </summary>
    ~MemoryMap()
    {
        if (_exports > 0)
        {
            _data = 0;
        }
        ReleaseResources();
    }

    /// <summary>Python's <c>mmap.PAGESIZE</c>: the size of a memory page.</summary>
    public static int PageSize { get; } = Environment.SystemPageSize;

    /// <summary>Python's <c>mmap.ALLOCATIONGRANULARITY</c>: offsets must be a multiple of it (the page size on Linux).</summary>
    public static int AllocationGranularity => PageSize;

    /// <summary>Whether the map has been closed (Python's <c>closed</c>). Never throws.</summary>
    public bool Closed => _data == 0;

    /// <summary>Python's <c>seekable()</c>: always <see langword="true"/>, even when closed, as in CPython 3.13.</summary>
    public bool Seekable => true;

    /// <summary>The effective access mode: with <see cref="MmapAccess.Default"/> and a protection without
    /// <c>PROT_WRITE</c>, CPython reports (and enforces) <see cref="MmapAccess.Read"/>.</summary>
    public MmapAccess Access => _access;

    /// <summary>The file offset the map starts at (0 for anonymous maps).</summary>
    public long Offset => _offset;

    /// <summary>Whether the map is anonymous memory rather than a file.</summary>
    public bool IsAnonymous { get; private init; }

    /// <summary>Whether writes through this map are kept private (copy-on-write / <c>MAP_PRIVATE</c>).</summary>
    public bool IsPrivate => (_flags & (LibC.MAP_SHARED | LibC.MAP_PRIVATE)) == LibC.MAP_PRIVATE; // 3 is MAP_SHARED_VALIDATE

    /// <summary>Python's <c>len(m)</c>: the length of the map in bytes.</summary>
    /// <exception cref="MmapException">ValueError when the map is closed.</exception>
    public long Length
    {
        get
        {
            CheckValid();
            return _size;
        }
    }

    /// <summary>
    /// The cursor without the closed check, for owners that keep one cursor per client (the actor layer):
    /// CPython's <c>pos</c> may exceed the length after a shrinking resize, and so may this.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative position, which every access would turn into an
    /// address before the mapping.</exception>
    internal long Position
    {
        get => _position;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    /// <summary>Number of live leases (Python's buffer exports).</summary>
    internal int Exports => _exports;

    /// <summary>Python's <c>close()</c>: unmaps the memory and closes the map's own descriptor. Idempotent.</summary>
    /// <exception cref="MmapException">BufferError while a <see cref="MemoryMapLease"/> is alive.</exception>
    public void Close()
    {
        if (_exports > 0)
        {
            throw new MmapException(MmapErrorKind.BufferError, "cannot close exported pointers exist");
        }
        ReleaseResources();
        GC.SuppressFinalize(this);
    }

    /// <summary>Closes the map, as Python's <c>__exit__</c> does.</summary>
    /// <exception cref="MmapException">BufferError while a <see cref="MemoryMapLease"/> is alive; the map stays open.</exception>
    public void Dispose() => Close();

    private void ReleaseResources()
    {
        if (_data != 0)
        {
            LibC.Munmap(_data, (nuint)_size);
            _data = 0;
        }
        if (_fd >= 0)
        {
            LibC.Close(_fd);
            _fd = -1;
        }
    }

    /// <summary>Python's <c>tell()</c>: the cursor, which may exceed <see cref="Length"/> after a shrinking resize.</summary>
    /// <exception cref="MmapException">ValueError when the map is closed.</exception>
    public long Tell()
    {
        CheckValid();
        return _position;
    }

    /// <summary>Python's <c>seek(pos, whence)</c>.</summary>
    /// <param name="position">The distance from the origin.</param>
    /// <param name="whence">0/<see cref="SeekOrigin.Begin"/>, 1/<see cref="SeekOrigin.Current"/> or 2/<see cref="SeekOrigin.End"/>.</param>
    /// <returns>The new absolute position (CPython 3.13 returns it).</returns>
    /// <exception cref="MmapException">ValueError "unknown seek type" or "seek out of range"; the cursor is unchanged.</exception>
    public long Seek(long position, SeekOrigin whence = SeekOrigin.Begin)
    {
        CheckValid();
        long where;
        switch (whence)
        {
            case SeekOrigin.Begin:
                where = position;
                break;
            case SeekOrigin.Current:
                if (long.MaxValue - _position < position)
                {
                    throw SeekOutOfRange();
                }
                where = _position + position;
                break;
            case SeekOrigin.End:
                if (long.MaxValue - _size < position)
                {
                    throw SeekOutOfRange();
                }
                where = _size + position;
                break;
            default:
                throw new MmapException(MmapErrorKind.ValueError, "unknown seek type");
        }
        if (where > _size || where < 0)
        {
            throw SeekOutOfRange();
        }
        _position = where;
        return where;

        static MmapException SeekOutOfRange() => new(MmapErrorKind.ValueError, "seek out of range");
    }

    /// <summary>Python's <c>size()</c>: the size of the backing <em>file</em> (st_size), not the map's length.</summary>
    /// <exception cref="MmapException">OSError EBADF for anonymous maps and maps opened with trackFd false (as in 3.13).</exception>
    public long Size()
    {
        CheckValid();
        if (!_trackFd || _fd < 0)
        {
            throw MmapException.FromErrno(LibC.EBADF);
        }
        int errno = LibC.FileStatus(_fd, out _, out long size);
        if (errno != 0)
        {
            throw MmapException.FromErrno(errno);
        }
        return size;
    }

    /// <summary>Python's <c>flush()</c>: msync of the whole map (CPython 3.13 defaults the size to the length).</summary>
    public void Flush() => Flush(0, Length);

    /// <summary>Python's <c>flush(offset)</c>: in CPython 3.13 the size still defaults to the whole length,
    /// so any offset above 0 raises ValueError "flush values out of range".</summary>
    public void Flush(long offset) => Flush(offset, Length);

    /// <summary>
    /// Python's <c>flush(offset, size)</c>: <c>msync(MS_SYNC)</c> of the range, then, if the file was resized
    /// since the last flush, an fsync so that its new length is durable too. A no-op for
    /// <see cref="MmapAccess.Read"/> and <see cref="MmapAccess.Copy"/> maps once the range is valid.
    /// </summary>
    /// <exception cref="MmapException">ValueError "flush values out of range"; OSError EINVAL when
    /// <paramref name="offset"/> is not a multiple of <see cref="PageSize"/> on a writable shared map; OSError
    /// from msync or fsync, which is then reported again by every later flush (a lost write-back is never
    /// reported as success).</exception>
    public void Flush(long offset, long size)
    {
        CheckValid();
        if (size < 0 || offset < 0 || _size - offset < size)
        {
            throw new MmapException(MmapErrorKind.ValueError, "flush values out of range");
        }
        if (_access is MmapAccess.Read or MmapAccess.Copy)
        {
            return;
        }
        if (LibC.Msync(_data + (nint)offset, (nuint)size, LibC.MS_SYNC) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != LibC.EINVAL)
            {
                _writebackErrno = errno;
            }
            throw MmapException.FromErrno(errno);
        }
        if (_fsyncPending && _fd >= 0)
        {
            if (LibC.Fsync(_fd) != 0)
            {
                _writebackErrno = Marshal.GetLastPInvokeError();
            }
            else
            {
                _fsyncPending = false;
            }
        }
        if (_writebackErrno != 0)
        {
            throw MmapException.FromErrno(_writebackErrno);
        }
    }

    /// <summary>Python's <c>madvise(option)</c> over the whole map.</summary>
    public void Madvise(MadviseOption option) => Madvise(option, 0, Length);

    /// <summary>Python's <c>madvise(option, start)</c>: from <paramref name="start"/> to the end.</summary>
    public void Madvise(MadviseOption option, long start) => Madvise(option, start, Length);

    /// <summary>
    /// Python's <c>madvise(option, start, length)</c>; the length is clamped to the end of the map.
    /// </summary>
    /// <exception cref="MmapException">ValueError "madvise start out of bounds" / "madvise length invalid";
    /// OverflowError "madvise length too large"; OSError EINVAL from the kernel (unaligned start, unknown
    /// option); OSError EPERM for <see cref="MadviseOption.HwPoison"/>, soft-offline and guard options, which
    /// MmapActors refuses because they make later accesses kill the process.</exception>
    public void Madvise(MadviseOption option, long start, long length)
    {
        CheckValid();
        if (start < 0 || start >= _size)
        {
            throw new MmapException(MmapErrorKind.ValueError, "madvise start out of bounds");
        }
        if (length < 0)
        {
            throw new MmapException(MmapErrorKind.ValueError, "madvise length invalid");
        }
        if (long.MaxValue - start < length)
        {
            throw new MmapException(MmapErrorKind.OverflowError, "madvise length too large");
        }
        if (start + length > _size)
        {
            length = _size - start;
        }
        // MADV_HWPOISON (100), MADV_SOFT_OFFLINE (101) and MADV_GUARD_INSTALL (102) turn later accesses into
        // SIGBUS/SIGSEGV, which no .NET code can catch.
        if ((int)option is 100 or 101 or 102)
        {
            throw MmapException.FromErrno(LibC.EPERM);
        }
        int result = LibC.Madvise(_data + (nint)start, (nuint)length, (int)option);
        GC.KeepAlive(this);
        if (result != 0)
        {
            throw MmapException.FromLastError();
        }
    }

    /// <summary>
    /// Python's <c>resize(newsize)</c>: sets the file's length to <c>offset + newSize</c> (even when the map
    /// was shorter than the file, which drops the file's tail, as CPython does) and remaps. Data up to the
    /// smaller of the two lengths is kept, growth reads as zeros, and the cursor is left alone.
    /// </summary>
    /// <exception cref="MmapException">BufferError while leased; ValueError for trackFd false maps; TypeError
    /// for read-only and copy-on-write maps; ValueError "new size out of range"; ValueError when growing a
    /// shared anonymous map (CPython 3.15's rule; 3.13 crashes later); OSError EINVAL for 0 (validated
    /// before anything is truncated, unlike CPython, which truncates first and then crashes).</exception>
    public void Resize(long newSize)
    {
        CheckValid();
        if (_exports > 0)
        {
            throw new MmapException(MmapErrorKind.BufferError, "mmap can't resize with extant buffers exported.");
        }
        if (!_trackFd)
        {
            throw new MmapException(MmapErrorKind.ValueError, "mmap can't resize with trackfd=False.");
        }
        if (_access is MmapAccess.Read or MmapAccess.Copy)
        {
            throw new MmapException(MmapErrorKind.TypeError, "mmap can't resize a readonly or copy-on-write memory map.");
        }
        if (newSize < 0 || long.MaxValue - newSize < _offset)
        {
            throw new MmapException(MmapErrorKind.ValueError, "new size out of range");
        }
        if (IsAnonymous && !IsPrivate && newSize > _size)
        {
            throw new MmapException(MmapErrorKind.ValueError, "mmap: can't expand a shared anonymous mapping on Linux");
        }
        if (newSize == 0)
        {
            // mremap(2) refuses a zero length; fail before ftruncate so no data is lost (deviation D1).
            throw MmapException.FromErrno(LibC.EINVAL);
        }
        if (_fd >= 0)
        {
            SetFileLength(_fd, _offset + newSize);
        }
        nint moved = LibC.Mremap(_data, (nuint)_size, (nuint)newSize, LibC.MREMAP_MAYMOVE);
        if (moved == LibC.MapFailed)
        {
            throw MmapException.FromLastError();
        }
        _data = moved;
        _size = newSize;
        _fsyncPending = _fd >= 0;
    }

    /// <summary>
    /// Sets the file's length for <see cref="Resize"/>. Growth reserves the new bytes with fallocate(2) first, so a
    /// full filesystem is ENOSPC here, with the file unchanged, rather than at a later write through the map; on a
    /// filesystem without fallocate the new bytes stay a hole (writes into it are still guarded: ENOSPC, never SIGBUS).
    /// </summary>
    private static void SetFileLength(int fd, long length)
    {
        int status = LibC.FileStatus(fd, out _, out long current);
        if (status != 0)
        {
            throw MmapException.FromErrno(status);
        }
        if (length > current && LibC.Fallocate(fd, 0, current, length - current) != 0)
        {
            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            // Only a lack of space is the reservation's own answer; anything else (no fallocate on this filesystem, a
            // descriptor ftruncate refuses too) is left to ftruncate below, which gives CPython's errno.
            if (errno is LibC.ENOSPC or LibC.EDQUOT)
            {
                // A failed fallocate may have allocated (and on some filesystems sized) part of the range.
                LibC.Ftruncate(fd, current);
                throw MmapException.FromErrno(errno);
            }
        }
        if (LibC.Ftruncate(fd, length) != 0)
        {
            throw MmapException.FromLastError();
        }
    }

    /// <summary>
    /// Leases the mapped memory, the role of Python's buffer protocol (<c>memoryview(m)</c>): while any lease
    /// is alive, <see cref="Close"/> and <see cref="Resize"/> raise BufferError, so the memory cannot move.
    /// </summary>
    /// <exception cref="MmapException">ValueError when the map is closed.</exception>
    public MemoryMapLease Lease()
    {
        CheckValid();
        _exports++;
        return new MemoryMapLease(this, _data, _size, _access == MmapAccess.Read);
    }

    internal void ReleaseLease() => _exports--;

    /// <summary>Python's <c>repr(m)</c>.</summary>
    public override string ToString() => Closed
        ? "<mmap.mmap closed=True>"
        : $"<mmap.mmap closed=False, access={AccessName(_access)}, length={_size}, pos={_position}, offset={_offset}>";

    private static string AccessName(MmapAccess access) => access switch
    {
        MmapAccess.Read => "ACCESS_READ",
        MmapAccess.Write => "ACCESS_WRITE",
        MmapAccess.Copy => "ACCESS_COPY",
        _ => "ACCESS_DEFAULT",
    };

    /// <summary>Enumerates the bytes, re-checking the map at every step as Python's sequence iteration does.</summary>
    public IEnumerator<byte> GetEnumerator()
    {
        for (long i = 0; ; i++)
        {
            CheckValid();
            if (i >= _size)
            {
                yield break;
            }
            yield return (byte)this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private void CheckValid()
    {
        if (_data == 0)
        {
            throw MmapException.Closed();
        }
    }

    private void CheckWritable()
    {
        if (_access == MmapAccess.Read)
        {
            throw MmapException.ReadOnly();
        }
    }

    private byte* Pointer(long index) => (byte*)_data + index;
}
