using System.CommandLine;
using System.Runtime.InteropServices;
using MmapActors.Remote;

namespace MmapActors.Cli;

/// <summary><c>mmapctl serve</c>: serves a directory until Ctrl+C or SIGTERM, then flushes and closes everything.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var rootOption = new Option<string>("--root") { Description = "Directory to serve (created if missing)", DefaultValueFactory = _ => "./data" };
        var hostOption = new Option<string>("--host") { Description = "Address to listen on", DefaultValueFactory = _ => "127.0.0.1" };
        var portOption = new Option<int>("--port") { Description = "TCP port (0 picks a free one)", DefaultValueFactory = _ => 4053 };
        var readOnlyOption = new Option<bool>("--read-only") { Description = "Refuse every write" };
        var configOption = new Option<string?>("--config") { Description = "HOCON file overriding config/server.hocon" };
        var insecureOption = new Option<bool>("--allow-insecure")
        {
            Description = "Listen on a non-loopback address without TLS all the same (anyone on the network could read and take over sessions)",
        };
        var httpPortOption = new Option<int>("--http-port")
        {
            Description = "Port of the HTTP data plane on 127.0.0.1 (mmap.http.host): 0 turns it off, -1 picks a free one",
            DefaultValueFactory = _ => 4080,
        };
        var command = new Command("serve", "Serve a directory's files to other nodes")
        {
            rootOption, hostOption, portOption, readOnlyOption, configOption, httpPortOption, insecureOption,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new MmapServerOptions(
                parse.GetValue(rootOption)!,
                parse.GetValue(hostOption),
                parse.GetValue(portOption),
                parse.GetValue(readOnlyOption),
                parse.GetValue(configOption),
                HttpPort: parse.GetValue(httpPortOption)) { AllowInsecureNonLoopback = parse.GetValue(insecureOption) };
            MmapServer started;
            try
            {
                started = await MmapServer.StartAsync(options, cancellationToken);
            }
            catch (MmapException e)
            {
                // A port in use, or a clear-text bind beyond loopback: say so and fail, never serve half.
                await Console.Error.WriteLineAsync($"mmapctl: cannot serve: {e.Message}");
                return ExitCodes.For(e);
            }
            catch (ArgumentException e)
            {
                await Console.Error.WriteLineAsync($"mmapctl: {e.Message}");
                return ExitCodes.Usage;
            }
            catch (IOException e)
            {
                // Kestrel's bind failure (the HTTP port is taken); the actor system is already stopped again.
                await Console.Error.WriteLineAsync($"mmapctl: {e.Message} (--http-port 0 turns the data plane off)");
                return ExitCodes.Unreachable;
            }
            await using var server = started;
            Console.WriteLine($"mmapctl: serving {server.Root} at {server.Address}{(options.ReadOnly ? " (read-only)" : "")}");
            if (server.DataPlane is { } http)
            {
                Console.WriteLine($"mmapctl: HTTP data plane at {http.BaseUrl} (e.g. curl -r 0-1023 {http.BaseUrl}<path>)");
            }
            Console.Out.Flush();

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, StopGracefully);
            using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, StopGracefully);
            await Task.WhenAny(server.WhenTerminated, Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default));

            void StopGracefully(PosixSignalContext context)
            {
                context.Cancel = true; // keep the process alive until the maps are flushed
                stop.Cancel();
            }
            Console.WriteLine("mmapctl: stopping: flushing and closing every map");
            await server.StopAsync();
            Console.WriteLine("mmapctl: stopped");
            return 0;
        });
        return command;
    }
}
