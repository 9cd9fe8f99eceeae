namespace MmapActors;

/// <summary>Python's <c>ACCESS_*</c> constants: how a map may be used. The numeric values are CPython's.</summary>
public enum MmapAccess
{
    /// <summary><c>ACCESS_DEFAULT</c>: the mode follows the flags and protection (shared read/write unless told otherwise).</summary>
    Default = 0,

    /// <summary><c>ACCESS_READ</c>: a shared, read-only map; every write raises TypeError.</summary>
    Read = 1,

    /// <summary><c>ACCESS_WRITE</c>: a shared read/write map; writes reach the file.</summary>
    Write = 2,

    /// <summary><c>ACCESS_COPY</c>: a private copy-on-write map; writes never reach the file and it cannot be resized.</summary>
    Copy = 3,
}
