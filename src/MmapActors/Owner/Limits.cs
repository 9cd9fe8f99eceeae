using MmapActors.Actors;

namespace MmapActors.Owner;

/// <summary>The refusals of <c>mmap.limits</c>, each built in one place.</summary>
internal static class Limits
{
    /// <summary>A request that carries or asks for more than <c>max-range-length</c> bytes (a ValueError).</summary>
    public static MmapException RangeLength(long requested, long limit) =>
        new(MmapErrorKind.ValueError,
            $"range of {requested} bytes passes mmap.limits.max-range-length ({limit}); stream it with ReadRangeAsync/WriteRangeAsync") { Code = MmapErrorCode.LimitExceeded };

    /// <summary>A holder at <c>max-handles-per-node</c> (EMFILE).</summary>
    public static MmapException TooManyHandles(string holder, int limit) =>
        new(MmapErrorKind.OSError, $"[Errno 24] Too many open files: {holder} holds the {limit} handles mmap.limits.max-handles-per-node allows", 24) { Code = MmapErrorCode.LimitExceeded };

    /// <summary>An open past what the process's descriptors or mappings leave room for (<see cref="OpenFileBudget"/>):
    /// EMFILE or ENOMEM, whichever limit binds.</summary>
    public static MmapException ProcessHandles(OpenFileBudget budget) =>
        new(MmapErrorKind.OSError, budget.Errno == Native.LibC.EMFILE
            ? $"[Errno 24] Too many open files: the server holds the {budget.MaxHandles} handles its descriptor limit (RLIMIT_NOFILE) leaves room for"
            : $"[Errno 12] Cannot allocate memory: the server holds the {budget.MaxHandles} handles its mapping limit (vm.max_map_count) leaves room for",
            budget.Errno) { Code = MmapErrorCode.LimitExceeded };

    /// <summary>A mapping or growth that would pass <c>max-mapped-bytes</c> (ENOMEM).</summary>
    public static MmapException MappedBytes(string what, long limit) =>
        new(MmapErrorKind.OSError, $"[Errno 12] Cannot allocate memory: {what} would pass mmap.limits.max-mapped-bytes ({limit})", 12) { Code = MmapErrorCode.LimitExceeded };

    /// <summary>A resize past <c>max-file-size</c> (a ValueError, as CPython's "new size out of range").</summary>
    public static MmapException FileSize(long fileLength, long limit) =>
        new(MmapErrorKind.ValueError, $"new size out of range: {fileLength} bytes would pass mmap.limits.max-file-size ({limit})") { Code = MmapErrorCode.LimitExceeded };
}
