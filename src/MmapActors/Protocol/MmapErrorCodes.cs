using System.Collections.Frozen;

namespace MmapActors;

/// <summary>The code of an error created without one: the engine raises CPython's exceptions with CPython's fixed messages,
/// and this table, in one place, gives those the code programs branch on.</summary>
internal static class MmapErrorCodes
{
    /// <summary>CPython's "out of range" messages (3.13 Modules/mmapmodule.c) and the engine's own positional ones.</summary>
    private static readonly FrozenSet<string> OutOfRangeMessages = new[]
    {
        "mmap index out of range", "data out of range", "flush values out of range", "new size out of range",
        "read byte out of range", "read position out of range", "seek out of range", "source, destination, or count out of range",
        "write byte out of range", "read count out of range", "mmap offset is greater than file size",
        "mmap length is greater than file size", "memoryview index out of range",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The code of an exception of <paramref name="kind"/> with <paramref name="message"/>.</summary>
    public static MmapErrorCode Classify(MmapErrorKind kind, string message) => kind switch
    {
        MmapErrorKind.BufferError => MmapErrorCode.Leased,
        MmapErrorKind.ValueError when message == "mmap closed or invalid" => MmapErrorCode.Closed,
        MmapErrorKind.TypeError when message is "mmap can't modify a readonly memory map." or "cannot modify read-only memory" => MmapErrorCode.ReadOnly,
        MmapErrorKind.ValueError or MmapErrorKind.IndexError when OutOfRangeMessages.Contains(message) => MmapErrorCode.OutOfRange,
        _ => MmapErrorCode.None,
    };
}
