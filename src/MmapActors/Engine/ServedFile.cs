using MmapActors.Native;

namespace MmapActors;

/// <summary>
/// A regular file opened beneath a <see cref="ServedRoot"/>: it owns the descriptor, which is closed by
/// <see cref="Dispose"/>. Maps made from it keep their own duplicate, so the file may be disposed as soon as it
/// has been mapped.
/// </summary>
public sealed class ServedFile : IDisposable
{
    private readonly SafeDescriptorHandle _handle;

    internal ServedFile(SafeDescriptorHandle handle, string relativePath, string canonicalKey, bool writable, long length)
    {
        _handle = handle;
        RelativePath = relativePath;
        CanonicalKey = canonicalKey;
        Writable = writable;
        Length = length;
    }

    /// <summary>The (untrusted) path the file was requested by, relative to the root.</summary>
    public string RelativePath { get; }

    /// <summary>The file's canonical absolute path when it was opened (see <see cref="ServedRoot.CanonicalKey"/>):
    /// the same for every relative path that reaches the same file.</summary>
    public string CanonicalKey { get; }

    /// <summary>Whether the descriptor is open read/write (otherwise read-only).</summary>
    public bool Writable { get; }

    /// <summary>The file's size in bytes when it was opened.</summary>
    public long Length { get; }

    /// <summary>Whether <see cref="Dispose"/> has been called.</summary>
    public bool IsClosed => _handle.IsClosed;

    /// <summary>
    /// The raw descriptor, for <see cref="MemoryMap.FromFileDescriptor"/> and other system calls. It stays
    /// valid only until <see cref="Dispose"/>: do not close it, and do not use it after disposing.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The file has been disposed.</exception>
    public int Descriptor
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            return _handle.Descriptor;
        }
    }

    /// <summary>
    /// Maps the file, like <see cref="MemoryMap.FromFileDescriptor"/> with this descriptor (which the map
    /// duplicates). The descriptor cannot be closed by a concurrent <see cref="Dispose"/> meanwhile.
    /// </summary>
    /// <param name="length">Bytes to map; 0 maps from <paramref name="offset"/> to the end of the file.</param>
    /// <param name="access">The access mode; by default <see cref="MmapAccess.Default"/> (read/write, shared) for a
    /// writable file and <see cref="MmapAccess.Read"/> for a read-only one. A writable mode on a read-only file
    /// fails in mmap(2) with 13 EACCES.</param>
    /// <param name="offset">Where the map starts in the file; a multiple of <see cref="MemoryMap.AllocationGranularity"/>.</param>
    /// <exception cref="ObjectDisposedException">The file has been disposed.</exception>
    /// <exception cref="MmapException">The errors of Python's mmap constructor.</exception>
    public MemoryMap Map(long length = 0, MmapAccess? access = null, long offset = 0)
    {
        bool added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            return MemoryMap.FromFileDescriptor(_handle.Descriptor, length,
                access: access ?? (Writable ? MmapAccess.Default : MmapAccess.Read), offset: offset);
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }
    }

    /// <summary>Closes the descriptor. Maps made from the file are not affected.</summary>
    public void Dispose() => _handle.Dispose();
}
