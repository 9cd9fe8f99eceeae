namespace MmapActors;

/// <summary>Python's <c>MADV_*</c> constants (Linux values) for <see cref="MemoryMap.Madvise(MadviseOption, long, long)"/>.</summary>
public enum MadviseOption
{
    /// <summary><c>MADV_NORMAL</c>.</summary>
    Normal = 0,
    /// <summary><c>MADV_RANDOM</c>.</summary>
    Random = 1,
    /// <summary><c>MADV_SEQUENTIAL</c>.</summary>
    Sequential = 2,
    /// <summary><c>MADV_WILLNEED</c>.</summary>
    WillNeed = 3,
    /// <summary><c>MADV_DONTNEED</c>.</summary>
    DontNeed = 4,
    /// <summary><c>MADV_FREE</c>.</summary>
    Free = 8,
    /// <summary><c>MADV_REMOVE</c>.</summary>
    Remove = 9,
    /// <summary><c>MADV_DONTFORK</c>.</summary>
    DontFork = 10,
    /// <summary><c>MADV_DOFORK</c>.</summary>
    DoFork = 11,
    /// <summary><c>MADV_MERGEABLE</c>.</summary>
    Mergeable = 12,
    /// <summary><c>MADV_UNMERGEABLE</c>.</summary>
    Unmergeable = 13,
    /// <summary><c>MADV_HUGEPAGE</c>.</summary>
    HugePage = 14,
    /// <summary><c>MADV_NOHUGEPAGE</c>.</summary>
    NoHugePage = 15,
    /// <summary><c>MADV_DONTDUMP</c>.</summary>
    DontDump = 16,
    /// <summary><c>MADV_DODUMP</c>.</summary>
    DoDump = 17,
    /// <summary><c>MADV_HWPOISON</c>. Refused by MmapActors (it would make later accesses kill the process).</summary>
    HwPoison = 100,
}
