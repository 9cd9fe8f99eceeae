using MmapActors.Diagnostics;

namespace MmapActors.Cli;

/// <summary>mmapctl's exit codes: scripts can tell the failures apart. Listed in <c>mmapctl --help</c> and the README.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Error = 1;
    public const int Usage = 2;
    public const int NotFound = 3;
    public const int Refused = 4;
    public const int OutOfRange = 5;
    public const int Unreachable = 6;
    /// <summary><c>serve --cluster</c> only: the cluster downed this node (its files moved to other members).</summary>
    public const int Downed = 7;
    public const int Interrupted = 130;

    /// <summary>The table shown by <c>--help</c>.</summary>
    public const string Help =
        "Exit codes:\n" +
        "  0    success\n" +
        "  1    failure (I/O error, server-side error, anything not below)\n" +
        "  2    usage error (bad arguments, binary output to a terminal, input from a terminal)\n" +
        "  3    not found (the file or the local input does not exist)\n" +
        "  4    refused (path outside the served root, read-only export, a limit, permission)\n" +
        "  5    out of range (offset or length past the end of the file)\n" +
        "  6    unreachable (no server at the address, wrong address or system name, no answer in time)\n" +
        "  7    downed (serve --cluster: the cluster removed this node; its files moved to other members; start it again to rejoin)\n" +
        "  130  interrupted (Ctrl+C or SIGTERM; an upload leaves nothing behind, a download keeps FILE.part for --resume)";

    /// <summary>The exit code for an error reply.</summary>
    public static int For(MmapException e) => e switch
    {
        _ when MmapRefusals.Classify(e) is not null => Refused,
        { Kind: MmapErrorKind.OSError, Errno: 2 } => NotFound,
        { Kind: MmapErrorKind.OSError, Errno: 111 or 93 or 110 or 113 or 71 or -2 } => Unreachable,
        { Kind: MmapErrorKind.OSError, Errno: 1 or 13 or 18 or 19 or 20 or 21 or 24 or 40 } => Refused,
        { Kind: MmapErrorKind.TypeError } => Refused,
        { Kind: MmapErrorKind.IndexError } => OutOfRange,
        { Kind: MmapErrorKind.ValueError } when e.Message.Contains("out of range", StringComparison.Ordinal) => OutOfRange,
        _ => Error,
    };
}
