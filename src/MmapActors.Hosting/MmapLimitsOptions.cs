namespace MmapActors.Hosting;

/// <summary>The <c>mmap.limits</c> block, in bytes, counts and durations; 0 = no limit; <see langword="null"/> keeps the HOCON value.</summary>
public sealed class MmapLimitsOptions
{
    /// <summary><c>max-range-length</c>: the largest range one request may carry or ask for.</summary>
    public long? MaxRangeLength { get; set; }

    /// <summary><c>max-handles-per-node</c>: open handles one client node may hold.</summary>
    public int? MaxHandlesPerNode { get; set; }

    /// <summary><c>max-file-size</c>: the largest file length a resize may produce.</summary>
    public long? MaxFileSize { get; set; }

    /// <summary><c>max-mapped-bytes</c>: bytes mapped by every handle together.</summary>
    public long? MaxMappedBytes { get; set; }

    /// <summary><c>stale-upload-age</c>: how long a temporary upload left by a killed server stays before a served node
    /// removes it; <see cref="TimeSpan.Zero"/> = never (default 1 hour; negative is refused).</summary>
    public TimeSpan? StaleUploadAge { get; set; }
}
