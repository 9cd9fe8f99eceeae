namespace MmapActors;

/// <summary>The Unix-style <c>prot</c> argument of Python's mmap constructor (Linux values).</summary>
[Flags]
public enum MapProtection
{
    /// <summary><c>PROT_READ</c>.</summary>
    Read = 0x1,

    /// <summary><c>PROT_WRITE</c>.</summary>
    Write = 0x2,

    /// <summary><c>PROT_EXEC</c>.</summary>
    Execute = 0x4,
}
