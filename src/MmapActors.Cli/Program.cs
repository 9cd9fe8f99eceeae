using System.CommandLine;
using MmapActors.Cli;

var root = new RootCommand("mmapctl: Python-faithful memory-mapped files served by Akka.NET actors");
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(DemoCommand.Create());
foreach (var command in ClientCommands.Create())
{
    root.Subcommands.Add(command);
}
root.Options.Add(ClientCommands.ServerOption);
// Ctrl+C and SIGTERM are handled by the commands themselves (a graceful flush can take longer than
// System.CommandLine's termination timeout), so its own handler is switched off.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
