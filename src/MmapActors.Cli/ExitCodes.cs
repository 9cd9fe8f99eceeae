namespace MmapActors.Cli;

/// <summary>mmapctl's exit codes: scripts can tell the failures apart.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Error = 1;
    public const int Usage = 2;
    public const int NotFound = 3;
    public const int Refused = 4;
    public const int OutOfRange = 5;
    public const int Unreachable = 6;

    /// <summary>The exit code for an error reply.</summary>
    public static int For(MmapException e) => e switch
    {
        { Kind: MmapErrorKind.OSError, Errno: 2 } => NotFound,
        { Kind: MmapErrorKind.OSError, Errno: 111 or 93 } => Unreachable,
        { Kind: MmapErrorKind.OSError, Errno: 1 or 13 or 18 or 19 or 20 or 21 or 24 or 40 } => Refused,
        { Kind: MmapErrorKind.TypeError } => Refused,
        { Kind: MmapErrorKind.IndexError } => OutOfRange,
        { Kind: MmapErrorKind.ValueError } when e.Message.Contains("out of range", StringComparison.Ordinal) ||
                                                 e.Message.Contains("limits.", StringComparison.Ordinal) => OutOfRange,
        _ => Error,
    };
}
