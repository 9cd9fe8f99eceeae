using System.CommandLine;
using System.Text;
using MmapActors.Remote;

namespace MmapActors.Cli;

/// <summary>The client commands of mmapctl: each connects to a running server, does one thing and exits.</summary>
internal static class ClientCommands
{
    public const string DefaultServer = "akka.tcp://mmap@127.0.0.1:4053";

    private static readonly Option<string> Server = new("--server")
    {
        Description = "Address of the server", DefaultValueFactory = _ => DefaultServer, Recursive = true,
    };

    public static IEnumerable<Command> Create()
    {
        yield return Stat();
        yield return List();
        yield return Get();
        yield return Put();
        yield return Find();
        yield return Resize();
        yield return Flush();
    }

    /// <summary>The option every client command takes; added to the root command once (it is recursive).</summary>
    public static Option<string> ServerOption => Server;

    private static Command Stat()
    {
        var path = new Argument<string?>("path") { Description = "A file; without it, the server's statistics", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("stat", "Show a file's size, or the server's open files and handles") { path };
        command.SetAction((parse, ct) => RunAsync(parse, ct, async client =>
        {
            if (parse.GetValue(path) is { } p)
            {
                await using var file = await client.OpenAsync(p, access: MmapAccess.Read, cancellationToken: ct);
                Console.WriteLine($"{p}: {await file.SizeAsync(ct)} bytes");
                return ExitCodes.Success;
            }
            var stats = await client.GetStatsAsync(ct);
            Console.WriteLine($"open files: {stats.OpenFiles}, handles: {stats.OpenHandles}, bytes mapped: {stats.BytesMapped}");
            foreach (var f in stats.Files)
            {
                Console.WriteLine($"  {f.Key}: {f.Handles} handle(s), {f.BytesMapped} bytes mapped");
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command List()
    {
        var directory = new Argument<string>("dir") { Description = "A directory beneath the served root", Arity = ArgumentArity.ZeroOrOne, DefaultValueFactory = _ => "." };
        var command = new Command("ls", "List a served directory") { directory };
        command.SetAction((parse, ct) => RunAsync(parse, ct, async client =>
        {
            foreach (var entry in await client.ListDirectoryAsync(parse.GetValue(directory)!, ct))
            {
                Console.WriteLine($"{entry.Kind,-9} {entry.Size,14} {entry.Name}");
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Get()
    {
        var path = new Argument<string>("path") { Description = "The file to read" };
        var offset = new Option<long>("--offset") { Description = "First byte to read" };
        var length = new Option<long?>("--length") { Description = "Bytes to read (default: to the end)" };
        var output = new Option<string?>("--output", "-o") { Description = "Write to this file instead of standard output" };
        var command = new Command("get", "Read a range of a file (streamed, any size)") { path, offset, length, output };
        command.SetAction((parse, ct) => RunAsync(parse, ct, async client =>
        {
            await using var file = await client.OpenAsync(parse.GetValue(path)!, access: MmapAccess.Read, cancellationToken: ct);
            long from = parse.GetValue(offset);
            long count = parse.GetValue(length) ?? Math.Max(0, await file.LengthAsync(ct) - from);
            await using var sink = parse.GetValue(output) is { } o ? File.Create(o) : Console.OpenStandardOutput();
            using var progress = ProgressBar.ForTerminal(count);
            await file.ReadRangeAsync(from, count, sink, progress, ct);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Put()
    {
        var path = new Argument<string>("path") { Description = "The file to write (created if missing, grown if short)" };
        var offset = new Option<long>("--offset") { Description = "Where to write" };
        var input = new Option<string?>("--input", "-i") { Description = "Read from this file instead of standard input" };
        var command = new Command("put", "Write a file or standard input into a file on the server (streamed, any size)") { path, offset, input };
        command.SetAction((parse, ct) => RunAsync(parse, ct, async client =>
        {
            string target = parse.GetValue(path)!;
            long at = parse.GetValue(offset);
            string? spool = null;
            try
            {
                string source = parse.GetValue(input) ?? (spool = await SpoolStandardInputAsync(ct));
                await using var stream = File.OpenRead(source);
                long need = at + stream.Length;
                IMappedFile file;
                try
                {
                    file = await client.OpenAsync(target, cancellationToken: ct);
                }
                catch (MmapException e) when (e.Errno == 2)
                {
                    await client.CreateFileAsync(target, need, ct);
                    file = await client.OpenAsync(target, cancellationToken: ct);
                }
                await using (file)
                {
                    if (await file.LengthAsync(ct) < need)
                    {
                        await file.ResizeAsync(need, ct);
                    }
                    using var progress = ProgressBar.ForTerminal(stream.Length);
                    await file.WriteRangeAsync(at, stream, stream.Length, progress, ct);
                    await file.FlushAsync(cancellationToken: ct);
                }
                return ExitCodes.Success;
            }
            finally
            {
                if (spool is not null)
                {
                    File.Delete(spool);
                }
            }
        }));
        return command;
    }

    private static Command Find()
    {
        var path = new Argument<string>("path") { Description = "The file to search" };
        var needle = new Argument<string>("needle") { Description = "The text to find (UTF-8)" };
        var command = new Command("find", "Print the offset of the first occurrence of a text, or -1") { path, needle };
        command.SetAction((parse, ct) => RunAsync(parse, ct, async client =>
        {
            await using var file = await client.OpenAsync(parse.GetValue(path)!, access: MmapAccess.Read, cancellationToken: ct);
            Console.WriteLine(await file.FindAsync(Encoding.UTF8.GetBytes(parse.GetValue(needle)!), 0, cancellationToken: ct));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Resize()
    {
        var path = new Argument<string>("path") { Description = "The file" };
        var size = new Argument<long>("size") { Description = "The new length in bytes" };
        var command = new Command("resize", "Set a file's length (zero-filled when it grows)") { path, size };
        command.SetAction((parse, ct) => RunAsync(parse, ct, async client =>
        {
            await using var file = await client.OpenAsync(parse.GetValue(path)!, cancellationToken: ct);
            await file.ResizeAsync(parse.GetValue(size), ct);
            await file.FlushAsync(cancellationToken: ct);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Flush()
    {
        var path = new Argument<string>("path") { Description = "The file" };
        var command = new Command("flush", "Force a file's mapped pages to disk") { path };
        command.SetAction((parse, ct) => RunAsync(parse, ct, async client =>
        {
            await using var file = await client.OpenAsync(parse.GetValue(path)!, cancellationToken: ct);
            await file.FlushAsync(cancellationToken: ct);
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>Connects, runs, and turns every failure into a one-line message and a distinct exit code.</summary>
    private static async Task<int> RunAsync(ParseResult parse, CancellationToken ct, Func<MmapClient, Task<int>> action)
    {
        try
        {
            await using var client = await MmapRemote.ConnectAsync(parse.GetValue(Server)!, "akka.loglevel = ERROR\nakka.stdout-loglevel = ERROR", ct);
            return await action(client);
        }
        catch (MmapException e)
        {
            Console.Error.WriteLine($"mmapctl: {e.PythonTypeName}: {e.Message}");
            return ExitCodes.For(e);
        }
        catch (TimeoutException e)
        {
            Console.Error.WriteLine($"mmapctl: the server did not answer: {e.Message}");
            return ExitCodes.Unreachable;
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"mmapctl: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"mmapctl: {e.Message}");
            return ExitCodes.Error;
        }
    }

    private static async Task<string> SpoolStandardInputAsync(CancellationToken ct)
    {
        string spool = Path.GetTempFileName();
        await using var file = File.Create(spool);
        await using var stdin = Console.OpenStandardInput();
        await stdin.CopyToAsync(file, ct);
        return spool;
    }
}
