using System.CommandLine;
using System.Net;
using System.Runtime.InteropServices;
using MmapActors.Remote;

namespace MmapActors.Cli;

/// <summary><c>mmapctl serve</c>: serves a directory until Ctrl+C or SIGTERM, then flushes and closes everything.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var rootOption = new Option<string>("--root") { Description = "Directory to serve (created if missing)", DefaultValueFactory = _ => "./data" };
        var hostOption = new Option<string>("--host") { Description = "Address to listen on (0.0.0.0: every interface)", DefaultValueFactory = _ => "127.0.0.1" };
        var publicHostOption = new Option<string?>("--public-host")
        {
            Description = "Host name or address clients use to reach this server (advertised in its address; default: --host, or this machine's name when --host is 0.0.0.0 or ::)",
        };
        var portOption = new Option<int>("--port") { Description = "TCP port (0 picks a free one)", DefaultValueFactory = _ => 4053 };
        var readOnlyOption = new Option<bool>("--read-only") { Description = "Refuse every write" };
        var configOption = new Option<string?>("--config") { Description = "HOCON file overriding config/server.hocon (TLS, limits, logging)" };
        var httpPortOption = new Option<int>("--http-port")
        {
            Description = "Port of the HTTP data plane on 127.0.0.1 (mmap.http.host): 0 turns it off, -1 picks a free one",
            DefaultValueFactory = _ => 4080,
        };
        var insecureOption = new Option<bool>("--allow-insecure")
        {
            Description = "Listen on a non-loopback address without TLS all the same (anyone on the network could read and take over sessions)",
        };
        var insecureMembersOption = new Option<bool>("--allow-insecure-members")
        {
            Description = "With --cluster: open the member port on a non-loopback address without TLS all the same (anyone who reaches it can join and read or change every file)",
        };
        var clusterOption = new Option<bool>("--cluster")
        {
            Description = "Join a cluster of nodes over one shared root (docs/cluster.md): --port is then the member port, which must stay private",
        };
        var seedOption = new Option<string[]>("--seed-nodes")
        {
            Description = "With --cluster: seed members, comma-separated (akka.tcp://mmap@HOST:PORT,...); none: start a new cluster",
            AllowMultipleArgumentsPerToken = true,
        };
        var clientPortOption = new Option<int?>("--client-port") { Description = "With --cluster: the clients' port (default: --port + 1)" };
        var logFormatOption = new Option<string>("--log-format")
        {
            Description = "The log on standard output: text (one line per event, at most 250 characters) or json (one object per line)",
            DefaultValueFactory = _ => "text",
        };
        logFormatOption.AcceptOnlyFromAmong("text", "json");
        var command = new Command("serve", "Serve a directory's files to other nodes")
        {
            rootOption, hostOption, publicHostOption, portOption, readOnlyOption, configOption, httpPortOption, insecureOption,
            clusterOption, seedOption, clientPortOption, insecureMembersOption, logFormatOption,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                if (parse.GetValue(clusterOption))
                {
                    if (parse.GetResult(httpPortOption) is { Implicit: false } && parse.GetValue(httpPortOption) != 0)
                    {
                        // A cluster node's door has no data plane (docs/cluster.md): refusing says so, ignoring would not.
                        throw CliException.Usage("--http-port with --cluster: a cluster node serves no HTTP data plane " +
                                                 "(docs/cluster.md, \"The client door\"); leave --http-port out, or serve without --cluster");
                    }
                    return await ClusterServeCommand.ServeAsync(parse.GetValue(rootOption)!, parse.GetValue(hostOption)!, parse.GetValue(publicHostOption),
                        parse.GetValue(portOption), parse.GetValue(clientPortOption), parse.GetValue(seedOption) ?? [], parse.GetValue(readOnlyOption),
                        parse.GetValue(configOption), parse.GetValue(insecureOption), parse.GetValue(insecureMembersOption),
                        parse.GetValue(logFormatOption)!, cancellationToken);
                }
                if (parse.GetValue(insecureMembersOption))
                {
                    throw CliException.Usage("--allow-insecure-members without --cluster: a single server has no member port (--allow-insecure is its switch)");
                }
                return await ServeAsync(parse.GetValue(rootOption)!, parse.GetValue(hostOption)!, parse.GetValue(publicHostOption),
                    parse.GetValue(portOption), parse.GetValue(readOnlyOption), parse.GetValue(configOption), parse.GetValue(httpPortOption),
                    parse.GetValue(insecureOption), parse.GetValue(logFormatOption)!, cancellationToken);
            }
            catch (Exception e)
            {
                return ClientCommands.Report(e, parse.GetValue<bool>("--verbose"), interrupted: false);
            }
        });
        return command;
    }

    /// <summary>The runtime's socket switch, read once, when the process first waits on a socket.</summary>
    internal const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Lets socket completions run on the runtime's I/O thread instead of being handed to the thread pool, unless the
    /// environment says otherwise: with the data plane's inline scheduling, a request is then read, served (its owner
    /// turn included, when the owner is idle) and answered on one thread. The runtime reads the switch when the first
    /// socket waits, so it is set before the server opens any. The trade-off is in docs/remote.md ("Threads").
    /// </summary>
    private static void PreferInlineSocketCompletions()
    {
        if (Environment.GetEnvironmentVariable(InlineCompletionsVariable) is null)
        {
            Environment.SetEnvironmentVariable(InlineCompletionsVariable, "1");
        }
    }

    /// <summary>The checks every <c>serve</c> makes before it starts anything: the root is not a file, and a named
    /// configuration file exists.</summary>
    internal static void CheckRootAndConfig(string root, string? configFile)
    {
        if (File.Exists(root))
        {
            throw CliException.Usage($"--root {root}: is a file; serve a directory");
        }
        if (configFile is not null && !File.Exists(configFile))
        {
            throw new CliException(ExitCodes.NotFound, $"--config {configFile}: no such file");
        }
    }

    private static bool IsWildcard(string host) => host is "0.0.0.0" or "::" or "[::]" or "";

    /// <summary>The host name a server (or a cluster node's door and member) advertises in its address, when it is not
    /// <paramref name="host"/> itself: <paramref name="publicHost"/>, or this machine's name for a wildcard
    /// <paramref name="host"/> (an address of 0.0.0.0 reaches nobody); null: advertise <paramref name="host"/>.</summary>
    internal static string? AdvertisedHost(string host, string? publicHost) =>
        publicHost ?? (IsWildcard(host) ? Dns.GetHostName() : null);

    /// <summary>The configuration <c>serve</c> puts above the operator's file: the advertised host name, if any, and the
    /// one-line operator logger, unless the operator's file chooses its own <c>akka.loggers</c>, in
    /// <paramref name="logFormat"/> (<c>text</c> or <c>json</c>).</summary>
    internal static string OperatorConfig(string? advertised, string? configFile, string logFormat = "text")
    {
        var overrides = new List<string>();
        if (advertised is not null)
        {
            // The advertised name is part of every actor address: a client must use exactly this host.
            overrides.Add($"akka.remote.dot-netty.tcp.public-hostname = \"{advertised.Replace("\"", "", StringComparison.Ordinal)}\"");
        }
        if (configFile is null || !Akka.Configuration.ConfigurationFactory.ParseString(File.ReadAllText(configFile)).HasPath("akka.loggers"))
        {
            // One readable line per event, no disconnect noise (unless the operator chose other loggers).
            overrides.Add("akka.loggers = [\"MmapActors.Remote.Logging.OperatorLogger, MmapActors.Remote\"]");
        }
        overrides.Add($"{MmapActors.Remote.Logging.OperatorLogger.FormatKey} = {(MmapActors.Remote.Logging.OperatorLogger.IsJson(logFormat) ? "json" : "text")}");
        return string.Join("\n", overrides);
    }

    private static async Task<int> ServeAsync(string root, string host, string? publicHost, int port, bool readOnly, string? configFile,
        int httpPort, bool allowInsecure, string logFormat, CancellationToken cancellationToken)
    {
        CheckRootAndConfig(root, configFile);
        PreferInlineSocketCompletions();
        bool wildcard = IsWildcard(host);
        string? advertised = AdvertisedHost(host, publicHost);
        var options = new MmapServerOptions(root, host, port, readOnly, configFile, Config: OperatorConfig(advertised, configFile, logFormat), HttpPort: httpPort)
        {
            AllowInsecureNonLoopback = allowInsecure,
        };
        MmapServer started;
        try
        {
            // A port in use or a clear-text bind beyond loopback is an MmapException, reported as one line: never serve half.
            started = await MmapServer.StartAsync(options, cancellationToken);
        }
        catch (ArgumentException e)
        {
            throw CliException.Usage(e.Message);
        }
        catch (IOException e)
        {
            // Kestrel's bind failure (the HTTP port is taken); the actor system is already stopped again.
            throw new CliException(ExitCodes.Unreachable, $"{e.Message} (--http-port 0 turns the data plane off)");
        }
        await using var server = started;
        Console.WriteLine($"mmapctl: serving {server.Root} at {server.Address}{(readOnly ? " (read-only)" : "")}");
        Console.WriteLine($"mmapctl: listening on {host}:{server.Address.Port}; clients must use --server {server.Address}" +
                          (wildcard && publicHost is null ? " (this machine's name; --public-host sets another)" : ""));
        if (server.DataPlane is { } http)
        {
            Console.WriteLine($"mmapctl: HTTP data plane at {http.BaseUrl} (e.g. curl -r 0-1023 {http.BaseUrl}<path>)");
        }
        Console.Out.Flush();
        bool asked = await RunUntilStoppedAsync(server.WhenTerminated, "flushing and closing every map", server.StopAsync, cancellationToken);
        if (!asked)
        {
            // Nobody asked it to stop: a service manager must see a failure, not a clean stop, so that it restarts it.
            Console.Error.WriteLine("mmapctl: the server stopped without being asked to");
            return ExitCodes.Error;
        }
        return ExitCodes.Success;
    }

    /// <summary>
    /// The end of every <c>serve</c>: waits until <paramref name="whenTerminated"/> completes, <paramref name="cancellationToken"/>
    /// is cancelled, or SIGTERM or SIGINT arrives, then runs <paramref name="stopAsync"/>, saying <paramref name="stopping"/>
    /// first. The signals stay caught until the stop has run, so that neither the first nor a second one ends the process
    /// before the maps are flushed and the files handed off.
    /// </summary>
    /// <returns><see langword="true"/> when the stop was asked for (a signal or <paramref name="cancellationToken"/>);
    /// <see langword="false"/> when <paramref name="whenTerminated"/> completed first, so the caller can exit non-zero.</returns>
    internal static async Task<bool> RunUntilStoppedAsync(Task whenTerminated, string stopping, Func<Task> stopAsync, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, StopGracefully);
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, StopGracefully);
        await Task.WhenAny(whenTerminated, Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default));
        bool asked = stop.IsCancellationRequested;

        void StopGracefully(PosixSignalContext context)
        {
            context.Cancel = true; // keep the process alive until the stop has run
            stop.Cancel();
        }
        Console.WriteLine($"mmapctl: stopping: {stopping}");
        await stopAsync();
        Console.WriteLine("mmapctl: stopped");
        return asked;
    }
}
