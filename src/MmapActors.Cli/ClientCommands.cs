using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text;
using Akka.Actor;
using MmapActors.Remote;

namespace MmapActors.Cli;

/// <summary>The client commands of mmapctl: each connects to a running server, does one thing and exits.</summary>
internal static class ClientCommands
{
    public const string DefaultServer = "akka.tcp://mmap@127.0.0.1:4053";

    private static readonly Option<string> Server = new("--server", "-s")
    {
        Description = "Address of the server, exactly as `serve` prints it", DefaultValueFactory = _ => DefaultServer, Recursive = true,
    };

    private static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Show the client's Akka warnings and, on failure, the full exception", Recursive = true,
    };

    private static readonly Option<bool> Quiet = new("--quiet", "-q")
    {
        Description = "No progress and no summary line (errors are still printed)", Recursive = true,
    };

    /// <summary>The options every client command takes; added to the root command once (they are recursive).</summary>
    public static IEnumerable<Option> GlobalOptions => [Server, Verbose, Quiet];

    public static IEnumerable<Command> Create()
    {
        yield return Stat();
        yield return List();
        yield return Transfers.Get();
        yield return Transfers.Put();
        yield return Find();
        yield return Resize();
        yield return Flush();
    }

    /// <summary>A size option or argument value, in bytes (<c>4096</c>, <c>64k</c>, <c>512M</c>, <c>1G</c>).</summary>
    public static long ParseSize(System.CommandLine.Parsing.ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "0";
        if (Sizes.TryParse(text, out long bytes, out string error))
        {
            return bytes;
        }
        result.AddError(error);
        return 0;
    }

    /// <summary><c>--config FILE</c>: HOCON for the client (TLS, frame size...), over <c>config/client.hocon</c>.</summary>
    public static Option<string?> ConfigOption() => new("--config", "-c")
    {
        Description = "HOCON file for the client (e.g. TLS: akka.remote.dot-netty.tcp.enable-ssl and its certificate), see docs/remote.md",
    };

    private static Command Stat()
    {
        var path = new Argument<string?>("path") { Description = "A file; without it, the server's statistics", Arity = ArgumentArity.ZeroOrOne };
        var config = ConfigOption();
        var command = new Command("stat", "Show a file's size, or the server's open files and handles") { path, config };
        command.SetAction((parse, ct) => RunAsync(parse, config, ct, async (client, token) =>
        {
            if (parse.GetValue(path) is { } p)
            {
                var status = await client.StatAsync(p, token);
                Console.WriteLine(status.Kind == "file"
                    ? $"{p}: {Sizes.Format(status.Size)} ({status.Size} bytes)"
                    : $"{p}: {status.Kind}");
                if (status.Owner is { } owner)
                {
                    Console.WriteLine($"owner: {owner}"); // a cluster node: the member that owns the file
                }
                return ExitCodes.Success;
            }
            var stats = await client.GetStatsAsync(token);
            Console.WriteLine($"open files: {stats.OpenFiles}, handles: {stats.OpenHandles}, mapped: {Sizes.Format(stats.BytesMapped)}");
            foreach (var f in stats.Files)
            {
                Console.WriteLine($"  {f.Key}: {f.Handles} handle(s), {Sizes.Format(f.BytesMapped)} mapped");
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command List()
    {
        var directory = new Argument<string>("dir") { Description = "A directory beneath the served root", Arity = ArgumentArity.ZeroOrOne, DefaultValueFactory = _ => "." };
        var all = new Option<bool>("--all", "-a") { Description = "Show names starting with '.' too (unfinished uploads are .NAME.<hex>.part)" };
        var bytes = new Option<bool>("--bytes", "-b") { Description = "Sizes in bytes instead of KiB/MiB/GiB" };
        var config = ConfigOption();
        var command = new Command("ls", "List a served directory") { directory, all, bytes, config };
        command.SetAction((parse, ct) => RunAsync(parse, config, ct, async (client, token) =>
        {
            bool exact = parse.GetValue(bytes);
            foreach (var entry in await client.ListDirectoryAsync(parse.GetValue(directory)!, token))
            {
                if (entry.Name.StartsWith('.') && !parse.GetValue(all))
                {
                    continue;
                }
                string size = entry.Kind != "file" ? "-" : exact ? entry.Size.ToString(System.Globalization.CultureInfo.InvariantCulture) : Sizes.Format(entry.Size);
                Console.WriteLine($"{entry.Kind,-9} {size,10}  {entry.Name}");
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Find()
    {
        var path = new Argument<string>("path") { Description = "The file to search" };
        var needle = new Argument<string>("needle") { Description = "The text to find (UTF-8)" };
        var config = ConfigOption();
        var command = new Command("find", "Print the offset of the first occurrence of a text, or -1") { path, needle, config };
        command.SetAction((parse, ct) => RunAsync(parse, config, ct, async (client, token) =>
        {
            await using var file = await client.OpenAsync(parse.GetValue(path)!, access: MmapAccess.Read, cancellationToken: token);
            Console.WriteLine(await file.FindAsync(Encoding.UTF8.GetBytes(parse.GetValue(needle)!), 0, cancellationToken: token));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Resize()
    {
        var path = new Argument<string>("path") { Description = "The file" };
        var size = new Argument<long>("size") { Description = "The new length (4096, 64k, 512M, 1G)", CustomParser = ParseSize };
        var config = ConfigOption();
        var command = new Command("resize", "Set a file's length (zero-filled when it grows)") { path, size, config };
        command.SetAction((parse, ct) => RunAsync(parse, config, ct, async (client, token) =>
        {
            await using var file = await client.OpenAsync(parse.GetValue(path)!, cancellationToken: token);
            await file.ResizeAsync(parse.GetValue(size), token);
            await file.FlushAsync(cancellationToken: token);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Flush()
    {
        var path = new Argument<string>("path") { Description = "The file" };
        var config = ConfigOption();
        var command = new Command("flush", "Force a file's mapped pages to disk") { path, config };
        command.SetAction((parse, ct) => RunAsync(parse, config, ct, async (client, token) =>
        {
            await using var file = await client.OpenAsync(parse.GetValue(path)!, cancellationToken: token);
            await file.FlushAsync(cancellationToken: token);
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>Whether --quiet was given.</summary>
    public static bool IsQuiet(ParseResult parse) => parse.GetValue(Quiet);

    /// <summary>
    /// Connects, runs, and turns every failure into one line on standard error and a distinct exit code (see
    /// <see cref="ExitCodes"/>); the stack trace only with --verbose. Ctrl+C and SIGTERM cancel the action, which
    /// cleans up (an upload is discarded, a download keeps its .part file) and exits 130; a second Ctrl+C kills.
    /// </summary>
    public static async Task<int> RunAsync(ParseResult parse, Option<string?> configOption, CancellationToken ct,
        Func<MmapClient, CancellationToken, Task<int>> action)
    {
        bool verbose = parse.GetValue(Verbose);
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
        try
        {
            string config = ClientConfig(parse.GetValue(configOption), verbose);
            await using var client = await MmapRemote.ConnectAsync(parse.GetValue(Server)!, config, interrupt.Token);
            return await action(client, interrupt.Token);
        }
        catch (Exception e)
        {
            return Report(e, verbose, interrupt.IsCancellationRequested);
        }

        void Interrupt(PosixSignalContext context)
        {
            // The first signal asks the action to stop and clean up; a second one is not intercepted and kills.
            if (!interrupt.IsCancellationRequested)
            {
                context.Cancel = true;
                interrupt.Cancel();
            }
        }
    }

    /// <summary>One line for any failure, and its exit code.</summary>
    public static int Report(Exception e, bool verbose, bool interrupted)
    {
        (int code, string message) = e switch
        {
            _ when interrupted && e is OperationCanceledException => (ExitCodes.Interrupted, "interrupted"),
            CliException c => (c.ExitCode, c.Message),
            MmapException m => (ExitCodes.For(m), $"{m.PythonTypeName}: {m.Message}"),
            AskTimeoutException or TimeoutException => (ExitCodes.Unreachable, $"the server did not answer in time ({e.Message})"),
            FileNotFoundException or DirectoryNotFoundException => (ExitCodes.NotFound, e.Message),
            UnauthorizedAccessException => (ExitCodes.Refused, e.Message),
            ArgumentException a => (ExitCodes.Usage, a.ParamName is null ? a.Message : a.Message.Replace($" (Parameter '{a.ParamName}')", "", StringComparison.Ordinal)),
            IOException => (ExitCodes.Error, e.Message),
            OperationCanceledException => (ExitCodes.Interrupted, "interrupted"),
            _ => (ExitCodes.Error, $"unexpected {e.GetType().Name}: {e.Message}"),
        };
        Console.Error.WriteLine($"mmapctl: {OneLine(message)}");
        if (verbose)
        {
            Console.Error.WriteLine(e.ToString());
        }
        return code;
    }

    /// <summary>The client configuration: quiet Akka logging unless --verbose, over the user's --config file.</summary>
    private static string ClientConfig(string? configFile, bool verbose)
    {
        string logging = verbose
            ? "akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING\n"
            : "akka.loglevel = OFF\nakka.stdout-loglevel = OFF\nakka.log-dead-letters = off\n";
        if (configFile is null)
        {
            return logging;
        }
        if (Directory.Exists(configFile))
        {
            throw CliException.Usage($"--config {configFile}: is a directory, not a HOCON file");
        }
        if (!File.Exists(configFile))
        {
            throw new CliException(ExitCodes.NotFound, $"--config {configFile}: no such file");
        }
        return logging + File.ReadAllText(configFile);
    }

    private static string OneLine(string message)
    {
        string line = message.ReplaceLineEndings(" ");
        return line.Length > 600 ? line[..600] + "..." : line;
    }
}
