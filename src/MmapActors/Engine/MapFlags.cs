namespace MmapActors;

/// <summary>The Unix-style <c>flags</c> argument of Python's mmap constructor (Linux values).</summary>
[Flags]
public enum MapFlags
{
    /// <summary><c>MAP_SHARED</c>: changes are shared with every other map of the file (the default).</summary>
    Shared = 0x01,

    /// <summary><c>MAP_PRIVATE</c>: changes stay private to this map.</summary>
    Private = 0x02,

    /// <summary><c>MAP_ANONYMOUS</c>: memory, not a file. Accepted only with descriptor -1 (as in
    /// <c>mmap.mmap(-1, n, flags=MAP_SHARED | MAP_ANONYMOUS)</c>), where CPython adds it itself anyway.</summary>
    Anonymous = 0x20,

    /// <summary><c>MAP_NORESERVE</c>: do not reserve swap for the mapping.</summary>
    NoReserve = 0x4000,

    /// <summary><c>MAP_POPULATE</c>: pre-fault the pages when mapping.</summary>
    Populate = 0x8000,
}
