namespace MmapActors;

/// <summary>
/// Direct access to a map's memory, the role of Python's buffer protocol (<c>memoryview(m)</c>). While a lease
/// is alive the map cannot be closed or resized, so the memory stays where it is; dispose the lease to release
/// it. Like the map, a lease is not thread-safe.
/// </summary>
/// <remarks>Spans obtained from a lease must not outlive it. Accesses through a lease are not guarded against
/// SIGBUS: a span touching a page cut off by a truncation from outside ends the process, as in CPython (the map's
/// own methods raise OSError instead). A lease that is never disposed keeps its map from
/// being unmapped for good: even the map's finalizer leaves the memory mapped.</remarks>
public sealed unsafe class MemoryMapLease : IDisposable
{
    private MemoryMap? _map;
    private readonly nint _data;

    internal MemoryMapLease(MemoryMap map, nint data, long length, bool isReadOnly)
    {
        _map = map;
        _data = data;
        Length = length;
        IsReadOnly = isReadOnly;
    }

    /// <summary>Python's <c>memoryview.nbytes</c>: the map's length when the lease was taken.</summary>
    public long Length { get; }

    /// <summary>Python's <c>memoryview.readonly</c>: true for <see cref="MmapAccess.Read"/> maps.</summary>
    public bool IsReadOnly { get; }

    /// <summary>Whether <see cref="Dispose"/> has released the lease.</summary>
    public bool IsReleased => _map is null;

    /// <summary>Read access to <paramref name="length"/> bytes at <paramref name="start"/>.</summary>
    public ReadOnlySpan<byte> GetReadOnlySpan(long start, int length)
    {
        CheckRange(start, length);
        return new ReadOnlySpan<byte>((byte*)_data + start, length);
    }

    /// <summary>Write access to <paramref name="length"/> bytes at <paramref name="start"/>.</summary>
    /// <exception cref="MmapException">TypeError "cannot modify read-only memory" on a read-only map.</exception>
    /// <remarks>As memoryview's item assignment, the read-only check comes before the range check.</remarks>
    public Span<byte> GetSpan(long start, int length)
    {
        ObjectDisposedException.ThrowIf(_map is null, this);
        if (IsReadOnly)
        {
            throw new MmapException(MmapErrorKind.TypeError, "cannot modify read-only memory");
        }
        CheckRange(start, length);
        return new Span<byte>((byte*)_data + start, length);
    }

    /// <summary>Python's <c>memoryview.release()</c>. Idempotent.</summary>
    public void Dispose()
    {
        _map?.ReleaseLease();
        _map = null;
    }

    private void CheckRange(long start, int length)
    {
        ObjectDisposedException.ThrowIf(_map is null, this);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (start > Length - length)
        {
            throw new ArgumentOutOfRangeException(nameof(length), "The range lies outside the leased memory.");
        }
    }
}
