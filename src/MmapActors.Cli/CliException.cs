namespace MmapActors.Cli;

/// <summary>A failure mmapctl found itself (a bad argument, a local file it cannot use): a message for the user and
/// the exit code that goes with it. Never shown with a stack trace.</summary>
internal sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public static CliException Usage(string message) => new(ExitCodes.Usage, message);
}
