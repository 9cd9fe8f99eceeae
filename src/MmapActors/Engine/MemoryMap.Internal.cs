using MmapActors.Native;

namespace MmapActors;

public sealed unsafe partial class MemoryMap
{
    /// <summary>
    /// Python's full constructor over a path: opens the file (read-only when <paramref name="readOnlyFile"/>),
    /// maps it and closes the temporary descriptor. Used by owner actors, which open by path.
    /// </summary>
    internal static MemoryMap OpenPath(string path, bool readOnlyFile, long length, MapFlags flags, MapProtection protection,
        MmapAccess access, long offset, bool trackFd) =>
        OpenPath(path, readOnlyFile, fd => Create(fd, length, (int)flags, (int)protection, access, offset, trackFd));

    /// <summary>The descriptor the map keeps for resize and flush (-1 for anonymous memory, a closed map or
    /// <c>trackfd=False</c>). Owned by the map: for fstat/fstatfs only.</summary>
    internal int Descriptor => _fd;

    /// <summary>
    /// Changes the map's length without touching the file, after another map of the same file resized it, so
    /// that every handle on a file sees one length. No access checks: a read-only handle follows a resize made
    /// through a writable one. Does nothing while leased (the memory must not move) or for a non-positive length.
    /// </summary>
    /// <returns>Whether the map now has <paramref name="newLength"/> bytes.</returns>
    internal bool FollowResize(long newLength)
    {
        if (_data == 0 || _exports > 0 || newLength <= 0)
        {
            return false;
        }
        if (newLength == _size)
        {
            return true;
        }
        nint moved = LibC.Mremap(_data, (nuint)_size, (nuint)newLength, LibC.MREMAP_MAYMOVE);
        if (moved == LibC.MapFailed)
        {
            return false;
        }
        _data = moved;
        _size = newLength;
        return true;
    }

    /// <summary>
    /// Starts an owner turn (a batch). Nothing to do since every access is guarded against SIGBUS itself (the file's
    /// length used to be read once per turn here); kept so the owner's turn protocol stays one call each way.
    /// </summary>
    internal void BeginTurn()
    {
    }

    /// <summary>Ends the turn <see cref="BeginTurn"/> started.</summary>
    internal void EndTurn()
    {
    }

    /// <summary>Flushes a writable shared map; used when an owner shuts down. Errors are reported, not thrown.</summary>
    internal MmapException? TryFlushAll()
    {
        if (_data == 0 || _access is MmapAccess.Read or MmapAccess.Copy || IsPrivate)
        {
            return null;
        }
        try
        {
            Flush();
            return null;
        }
        catch (MmapException e)
        {
            return e;
        }
    }
}
