using System.CommandLine;
using System.Diagnostics;
using MmapActors.Remote;

namespace MmapActors.Cli;

/// <summary>
/// <c>mmapctl demo</c>: a newcomer's first command. Starts a server in-process on loopback, lets N local workers
/// share one file through its owner actor, reads a range back through a remote client, and prints what happened.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var workers = new Option<int>("--workers") { Description = "Concurrent local workers", DefaultValueFactory = _ => 16 };
        var seconds = new Option<double>("--seconds") { Description = "How long the workers run", DefaultValueFactory = _ => 3 };
        var command = new Command("demo", "Run an embedded server, concurrent workers and a remote client, and print the throughput") { workers, seconds };
        command.SetAction(async (parse, ct) =>
        {
            int n = parse.GetValue(workers);
            double duration = parse.GetValue(seconds);
            if (n is < 1 or > 1024 || duration is <= 0 or > 600)
            {
                Console.Error.WriteLine("mmapctl: --workers must be 1..1024 and --seconds 0..600");
                return ExitCodes.Usage;
            }
            string root = Directory.CreateTempSubdirectory("mmapctl-demo-").FullName;
            try
            {
                return await RunAsync(root, n, TimeSpan.FromSeconds(duration), ct);
            }
            finally
            {
                Directory.Delete(root, recursive: true);
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(string root, int workers, TimeSpan duration, CancellationToken ct)
    {
        const int FileSize = 64 << 20, Block = 4096;
        // Both ends log as `serve` does (one short line per event, no stack trace for a network's or a peer's failure).
        string logging = "akka.loglevel = WARNING\n" + ServeCommand.OperatorConfig(null, null);
        await using var server = await MmapServer.StartAsync(new MmapServerOptions(root, Port: 0, Config: logging), ct);
        Console.WriteLine($"1. Serving {root} at {server.Address}");

        await using var local = MmapClient.Create(server.System);
        await local.CreateFileAsync("demo.bin", FileSize, ct);
        Console.WriteLine($"2. Created demo.bin ({FileSize >> 20} MiB); {workers} workers share it, each with its own handle");

        // Each worker owns a slice of the file: it writes a block there and reads a random block anywhere.
        long reads = 0, writes = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stop.CancelAfter(duration);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            var buffer = new byte[Block];
            long slice = FileSize / workers / Block * Block;
            await using var file = await local.OpenAsync("demo.bin", cancellationToken: ct);
            while (!stop.IsCancellationRequested)
            {
                random.NextBytes(buffer);
                await file.WriteAtAsync(w * slice + random.Next((int)(slice / Block)) * (long)Block, buffer, ct);
                Interlocked.Increment(ref writes);
                await file.ReadAtAsync(random.Next(FileSize / Block) * (long)Block, buffer.AsMemory(), ct);
                Interlocked.Increment(ref reads);
            }
        }, ct)));
        double elapsed = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"3. Local workers: {reads + writes:N0} operations in {elapsed:F1} s = {(reads + writes) / elapsed:N0} ops/s " +
                          $"({reads:N0} random 4 KiB reads, {writes:N0} writes), every one serialized by the file's owner actor");

        await using var remote = await MmapRemote.ConnectAsync(server.Address.ToString(), logging, ct);
        await using var remoteFile = await remote.OpenAsync("demo.bin", access: MmapAccess.Read, cancellationToken: ct);
        var sink = new MemoryStream();
        clock.Restart();
        long streamed = await remoteFile.ReadRangeAsync(0, FileSize, sink, cancellationToken: ct);
        elapsed = clock.Elapsed.TotalSeconds;
        byte[] onDisk = await File.ReadAllBytesAsync(Path.Combine(root, "demo.bin"), ct);
        bool identical = sink.ToArray().AsSpan().SequenceEqual(onDisk);
        Console.WriteLine($"4. Remote client over loopback TCP: streamed {streamed >> 20} MiB in {elapsed:F2} s = {streamed / elapsed / 1e6:N0} MB/s, " +
                          $"byte-identical to the file: {(identical ? "yes" : "NO")}");

        var stats = await local.GetStatsAsync(ct);
        Console.WriteLine($"5. Server stats: {stats.OpenFiles} open file(s), {stats.OpenHandles} handle(s), {stats.BytesMapped >> 20} MiB mapped");
        Console.WriteLine("Next: `mmapctl serve` in one terminal, `mmapctl put` / `get` / `ls` / `stat` in another.");
        return identical ? ExitCodes.Success : ExitCodes.Error;
    }
}
