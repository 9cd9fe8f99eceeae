using System.Buffers;
using MmapActors.Native;

namespace MmapActors;

public sealed unsafe partial class MemoryMap
{
    /// <summary>The window a search copies out of the map at a time (more for long needles): small enough to stay in
    /// the CPU's L2 cache, large enough that the guarded copy's fixed cost disappears.</summary>
    private const int SearchWindow = 256 * 1024;

    /// <summary>A filesystem with less room than this is taken to be why a write into a file's hole faulted.</summary>
    private const long NearlyFull = 1 << 20;

    // Every access to the mapped memory is one of the five methods below, and each goes through the SIGBUS-guarded
    // routines of Native/Guard: the file can shrink (another process, another descriptor) or its filesystem fill up
    // between any check and the access, so no check made beforehand can prevent the fault; only surviving it can.
    // Leases (MemoryMapLease) are the one exception: they hand out raw spans, documented as unguarded.

    /// <summary>Copies map bytes <c>[position, position + destination.Length)</c> into <paramref name="destination"/>.</summary>
    /// <exception cref="MmapException">OSError EIO when the bytes lie on pages the file no longer backs.</exception>
    private void CopyOut(long position, Span<byte> destination)
    {
        if (destination.IsEmpty)
        {
            return;
        }
        byte* source = Pointer(position);
        fixed (byte* target = destination)
        {
            GuardedCopy(target, source, destination.Length, mapped: source, write: false);
        }
    }

    /// <summary>Copies <paramref name="source"/> into map bytes <c>[position, position + source.Length)</c>.</summary>
    /// <exception cref="MmapException">OSError EIO past the file's end, ENOSPC when a hole finds no space; the bytes
    /// before the failing page have been written.</exception>
    private void CopyIn(long position, ReadOnlySpan<byte> source)
    {
        if (source.IsEmpty)
        {
            return;
        }
        byte* target = Pointer(position);
        fixed (byte* from = source)
        {
            GuardedCopy(target, from, source.Length, mapped: target, write: true);
        }
    }

    /// <summary>The guarded copy of <see cref="CopyOut"/> and <see cref="CopyIn"/>: <paramref name="length"/> bytes, of
    /// which those at <paramref name="mapped"/> are the map's (the only ones that may fault).</summary>
    private void GuardedCopy(byte* target, byte* source, int length, byte* mapped, bool write)
    {
        int result = Guard.Copy(target, source, (nuint)length, (nuint)mapped, (nuint)(mapped + length), out nuint fault);
        GC.KeepAlive(this);
        if (result != 0)
        {
            throw Fault(fault, write);
        }
    }

    /// <summary>memmove inside the map (the ranges may overlap).</summary>
    private void MoveWithin(long destination, long source, long count)
    {
        byte* low = Pointer(Math.Min(destination, source));
        byte* high = Pointer(Math.Max(destination, source) + count);
        int result = Guard.Copy(Pointer(destination), Pointer(source), (nuint)count, (nuint)low, (nuint)high, out nuint fault);
        GC.KeepAlive(this);
        if (result != 0)
        {
            // Which side faulted decides the errno: the source page is read, the destination page written.
            throw Fault(fault, write: fault >= (nuint)Pointer(destination) && fault < (nuint)Pointer(destination + count));
        }
    }

    /// <summary>Copies <paramref name="count"/> map bytes <c>first, first + stride, ...</c> into <paramref name="destination"/>.</summary>
    private void Gather(long first, long stride, long count, Span<byte> destination)
    {
        var (low, high) = StridedRange(first, stride, count);
        int result;
        nuint fault;
        fixed (byte* target = destination)
        {
            result = Guard.CopyStrided(target, 1, Pointer(first), (nint)stride, (nuint)count, low, high, out fault);
        }
        GC.KeepAlive(this);
        if (result != 0)
        {
            throw Fault(fault, write: false);
        }
    }

    /// <summary>Copies <paramref name="source"/> to map bytes <c>first, first + stride, ...</c>.</summary>
    private void Scatter(long first, long stride, ReadOnlySpan<byte> source)
    {
        var (low, high) = StridedRange(first, stride, source.Length);
        int result;
        nuint fault;
        fixed (byte* from = source)
        {
            result = Guard.CopyStrided(Pointer(first), (nint)stride, from, 1, (nuint)source.Length, low, high, out fault);
        }
        GC.KeepAlive(this);
        if (result != 0)
        {
            throw Fault(fault, write: true);
        }
    }

    private (nuint Low, nuint High) StridedRange(long first, long stride, long count)
    {
        long last = first + (count - 1) * stride;
        return ((nuint)Pointer(Math.Min(first, last)), (nuint)Pointer(Math.Max(first, last) + 1));
    }

    /// <summary>
    /// Index of the first (or, <paramref name="reverse"/>, the last) <paramref name="sub"/> lying wholly in map bytes
    /// <c>[start, end)</c>, or -1. The map is copied out window by window (windows overlap by <c>sub.Length - 1</c>)
    /// and searched in the copy: a search straight through the mapping could not survive a truncation.
    /// </summary>
    private long SearchWindows(long start, long end, ReadOnlySpan<byte> sub, bool reverse)
    {
        if (sub.IsEmpty)
        {
            return reverse ? end : start;
        }
        if (end - start < sub.Length)
        {
            return -1;
        }
        int window = (int)Math.Min(Math.Min(end - start, Array.MaxLength), Math.Max(SearchWindow, 2L * sub.Length));
        byte[] buffer = ArrayPool<byte>.Shared.Rent(window);
        try
        {
            long step = window - sub.Length + 1;
            if (!reverse)
            {
                for (long at = start; end - at >= sub.Length; at += step)
                {
                    int length = (int)Math.Min(end - at, window);
                    var chunk = buffer.AsSpan(0, length);
                    CopyOut(at, chunk);
                    int found = chunk.IndexOf(sub);
                    if (found >= 0)
                    {
                        return at + found;
                    }
                    if (at + length == end)
                    {
                        break;
                    }
                }
            }
            else
            {
                for (long stop = end; stop - start >= sub.Length; stop -= step)
                {
                    long at = Math.Max(start, stop - window);
                    var chunk = buffer.AsSpan(0, (int)(stop - at));
                    CopyOut(at, chunk);
                    int found = chunk.LastIndexOf(sub);
                    if (found >= 0)
                    {
                        return at + found;
                    }
                    if (at == start)
                    {
                        break;
                    }
                }
            }
            return -1;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The error for a guarded access that faulted at <paramref name="address"/>, decided from the state of the file
    /// and its filesystem now: a page past the end of the file is EIO (it was truncated, here or elsewhere); a write
    /// to a page inside it on a filesystem with less than <see cref="NearlyFull"/> bytes left is ENOSPC (a hole
    /// that found no space); anything else is EIO (the file was truncated and grown again between the fault and
    /// this look, or a real I/O error).
    /// </summary>
    private MmapException Fault(nuint address, bool write)
    {
        long fileOffset = _offset + (long)(address - (nuint)_data);
        long fileSize = -1;
        if (_fd >= 0)
        {
            LibC.FileStatus(_fd, out _, out fileSize);
        }
        long page = fileOffset / PageSize * PageSize;
        if (fileSize >= 0 && page >= fileSize)
        {
            return MmapException.FromErrno(LibC.EIO,
                $"the file was truncated to {fileSize} bytes outside this map; " +
                "bytes past its end cannot be accessed until it grows again");
        }
        if (write && _fd >= 0 && LibC.AvailableBytes(_fd, out long available) == 0 && available < NearlyFull)
        {
            return MmapException.FromErrno(LibC.ENOSPC,
                $"no space on the file's filesystem for the page at offset {page} (a hole of a sparse file)");
        }
        return MmapException.FromErrno(LibC.EIO, $"the page at file offset {page} could not be read");
    }
}
