using System.CommandLine;
using MmapActors.Cli;

var root = new RootCommand("mmapctl: Python-faithful memory-mapped files served by Akka.NET actors\n\n" + ExitCodes.Help);
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(DemoCommand.Create());
foreach (var command in ClientCommands.Create())
{
    root.Subcommands.Add(command);
}
foreach (var option in ClientCommands.GlobalOptions)
{
    root.Options.Add(option);
}
var parse = root.Parse(args);
try
{
    // Ctrl+C and SIGTERM are handled by the commands themselves (a graceful flush can take longer than
    // System.CommandLine's termination timeout), so its own handler is switched off; so is its exception handler,
    // which prints stack traces: every failure becomes one line below.
    int code = await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false });
    // Usage errors exit 2, as POSIX utilities do (System.CommandLine returns 1 after printing them).
    return parse.Errors.Count > 0 ? ExitCodes.Usage : code;
}
catch (Exception e)
{
    return ClientCommands.Report(e, verbose: args.Contains("--verbose") || args.Contains("-v"), interrupted: false);
}
