namespace MmapActors.Diagnostics;

/// <summary>
/// Tells refusals (the server said no, by policy) from failures (something went wrong), so operators can alert on one
/// and not the other. One place, called by the supervisor, the owners, the metrics and mmapctl's exit codes.
/// </summary>
public static class MmapRefusals
{
    /// <summary>A limit of <c>mmap.limits</c> (file size, range length, handles, mapped bytes) was reached.</summary>
    public const string Limit = "limit";

    /// <summary>The path leaves the served root, is absolute, loops, or is not a regular file.</summary>
    public const string ForbiddenPath = "forbidden-path";

    /// <summary>A write to a read-only export.</summary>
    public const string ReadOnly = "read-only";

    /// <summary>The refusal an error stands for, or <see langword="null"/> when it is a failure.</summary>
    /// <param name="kind">The Python exception kind.</param>
    /// <param name="message">The error's message (the limits are named in it, as in <c>mmap.limits.max-file-size</c>).</param>
    /// <param name="errno">The errno, for OSError.</param>
    public static string? Classify(MmapErrorKind kind, string? message, int? errno)
    {
        message ??= string.Empty;
        if (message.Contains("mmap.limits.", StringComparison.Ordinal) ||
            message.Contains("outside the allowed range", StringComparison.Ordinal))
        {
            return Limit;
        }
        if (kind != MmapErrorKind.OSError)
        {
            return null;
        }
        return errno switch
        {
            13 when message.Contains("read-only", StringComparison.Ordinal) => ReadOnly,
            18 or 40 => ForbiddenPath,                       // EXDEV (outside the root, absolute), ELOOP (magic link, loop)
            19 when message.Contains("not a regular file", StringComparison.Ordinal) => ForbiddenPath,
            _ => null,
        };
    }

    /// <summary>The refusal an <see cref="MmapException"/> stands for, or <see langword="null"/>.</summary>
    public static string? Classify(MmapException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return Classify(error.Kind, error.Message, error.Errno);
    }
}
