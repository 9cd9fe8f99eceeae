using System.Diagnostics;
using Akka.Actor;
using Microsoft.Win32.SafeHandles;
using MmapActors.Actors;
using MmapActors.Benchmarks.Callers;
using MmapActors.Benchmarks.Setup;
using MmapActors.Protocol;

namespace MmapActors.Benchmarks.Quick;

/// <summary>
/// The <c>quick</c> mode: every figure and its baselines in one process and one run, each warmed up and then
/// measured for a fixed wall time, so that ratios compare numbers taken minutes apart on the same machine state.
/// </summary>
internal static class QuickRunner
{
    /// <summary>Figures next to their baselines, with the targets the project set.</summary>
    public static IReadOnlyList<Comparison> Comparisons { get; } =
    [
        new("raw.read4k", "cpython.read4k", 0.90),
        new("raw.read1m", "cpython.read1m", null),
        new("raw.write4k", "cpython.write4k", null),
        new("local.read4k.c1", "akka.echo.c1", 0.50),
        new("local.read4k.c1", "cpython.read4k", null),
        new("local.read4k.c1", "raw.read4k", null),
        new("local.read4k.c16", "akka.echo.c16", 0.70),
        new("local.read4k.c16", "raw.read4k", null),
        new("local.read4k.c16", "cpython.read4k", null),
        new("local.batch64.read4k", "raw.read4k", 0.75),
        new("local.batch64.read4k", "cpython.read4k", 1.0),
        new("local.read1m", "raw.read1m", 0.5),
        new("local.read1m", "cpython.read1m", 1.0),
        new("local.write4k.c16", "raw.write4k", 0.50),
        new("local.write4k.c16", "cpython.write4k", null),
        new("local.write4k.c16", "akka.echo.c16", null),
        new("remote.read4k.c16", "remote.echo.c16", 0.80),
        new("cluster.read4k.c16", "remote.read4k.c16", null),
        new("cluster.read4k.c16", "remote.echo.c16", null),
        new("cluster.door.read4k.c16", "remote.read4k.c16", null),
        new("cluster.door.read4k.c16", "cluster.read4k.c16", null),
        new("cluster.bridge.read4k.c16", "akka.echo.c16", null),
        new("cluster.bridge.read4k.c16", "local.read4k.c16", null),
        new("remote.stream", "remote.echo.c16", null),
        new("remote.stream", "remote.stream.actors", null),
        new("remote.read1m.c16", "remote.stream", null),
        new("diag.echo.timeout.c1", "akka.echo.c1", null),
        new("diag.echo.timeout.c16", "akka.echo.c16", null),
        new("diag.echo.ownerdisp.c1", "akka.echo.c1", null),
        new("diag.echo.ownerdisp.c16", "akka.echo.c16", null),
        new("diag.echo.ownerdisp.timeout.c16", "akka.echo.c16", null),
        new("diag.local.tell.c1", "akka.echo.c1", null),
        new("diag.local.tell.c16", "akka.echo.c16", null),
        new("diag.direct.read4k.c16", "local.read4k.c16", null),
        new("diag.direct.read4k.c16", "akka.echo.c16", null),
        new("diag.raw.fstat", "raw.read4k", null),
        new("raw.read4k", "diag.raw.read4k.unguarded", null),
        new("diag.sink.echo.c1", "akka.echo.c1", null),
        new("diag.sink.echo.c16", "akka.echo.c16", null),
        new("diag.sink.read4k.c1", "akka.echo.c1", null),
        new("diag.sink.read4k.c16", "akka.echo.c16", null),
        new("diag.local.read4k.c16.onehandle", "local.read4k.c16", null),
        new("diag.local.write4k.c16.onehandle", "local.write4k.c16", null),
    ];

    /// <summary>Floors on a figure's own value.</summary>
    public static IReadOnlyList<AbsoluteTarget> AbsoluteTargets { get; } = [new("local.read1m", 5.0), new("remote.stream", 200)];

    /// <summary>Sets up, measures the selected figures, prints the report and writes the JSON; returns the exit code.</summary>
    public static async Task<int> RunAsync(QuickOptions options)
    {
        var clock = Stopwatch.StartNew();
        // Other processes on a 2-core machine move every figure; say how busy it was so a run can be judged.
        Console.Error.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {LoadAverage()} (before)");
        Console.Error.WriteLine($"setup: writing a {BenchFile.Length >> 20} MiB file, starting the ActorSystem, opening {BenchEnvironment.HandleCount} handles");
        await using var env = await BenchEnvironment.CreateAsync(options.ExtraConfig).ConfigureAwait(false);
        using var rawMap = MemoryMap.Open(env.File.Path);
        BenchFile.Prefault(rawMap);
        var echo = env.System.ActorOf(EchoActor.Props(), "echo");
        using var descriptor = File.OpenHandle(env.File.Path);
        long length = BenchFile.Length;
        var handles = env.Handles;
        await using var remote = await RemoteEnvironment.CreateAsync(env.File).ConfigureAwait(false);
        await using var cluster = await ClusterEnvironment.CreateAsync(env.File).ConfigureAwait(false);
        var (cpython, skipped) = await CpythonReference.StartAsync(env.File.Path).ConfigureAwait(false);
        await using var cpythonLifetime = cpython;
        Console.Error.WriteLine(cpython is null ? $"cpython.*: skipped ({skipped})" : $"cpython.*: python3 {cpython.Version} as a subprocess on the same file");

        // Printed in this order; measured reads first, writes last (see below).
        FigureSpec[] specs =
        [
            FigureSpec.Ops("raw.read4k", () => [new RawRead4kCaller(rawMap)]),
            FigureSpec.GigabytesPerSecond("raw.read1m", Caller.Chunk, () => [new RawRead1mCaller(rawMap)]),
            FigureSpec.Ops("akka.echo.c1", () => [new EchoCaller(echo)]),
            FigureSpec.Ops("akka.echo.c16", () => Enumerable.Range(0, 16).Select(_ => (Caller)new EchoCaller(echo)).ToArray()),
            FigureSpec.Ops("local.read4k.c1", () => [new ClientRead4kCaller(handles[0], length)]),
            FigureSpec.Ops("local.read4k.c16", () => handles.Take(16).Select(h => (Caller)new ClientRead4kCaller(h, length)).ToArray()),
            new FigureSpec("local.batch64.read4k", "ranges/s", ClientBatch64Caller.Ranges, 1, () => [new ClientBatch64Caller(handles[0], length)]),
            FigureSpec.GigabytesPerSecond("local.read1m", Caller.Chunk, () => [new ClientRead1mCaller(handles[0], length)]),
            FigureSpec.Ops("remote.echo.c16", () => Enumerable.Range(0, 16).Select(_ => (Caller)new RemoteEchoCaller(remote.Echo)).ToArray()),
            FigureSpec.Ops("remote.read4k.c16", () => remote.Handles.Select(h => (Caller)new ClientRead4kCaller(h, length)).ToArray()),
            FigureSpec.Ops("cluster.read4k.c16", () => cluster.Handles.Select(h => (Caller)new ClientRead4kCaller(h, length)).ToArray()),
            FigureSpec.Ops("cluster.door.read4k.c16", () => cluster.DoorHandles.Select(h => (Caller)new ClientRead4kCaller(h, length)).ToArray()),
            FigureSpec.Ops("cluster.bridge.read4k.c16", () => cluster.BridgeHandles.Select(h => (Caller)new ClientRead4kCaller(h, length)).ToArray()),
            new FigureSpec("remote.stream", "MB/s", RemoteStreamCaller.RangeBytes, 1e-6, () => [new RemoteStreamCaller(remote.Handles[0], length)]),
            FigureSpec.Ops("cpython.read4k", () => []) with { External = cpython is null ? null : d => cpython.MeasureAsync("read4k", d) },
            FigureSpec.GigabytesPerSecond("cpython.read1m", Caller.Chunk, () => []) with { External = cpython is null ? null : d => cpython.MeasureAsync("read1m", d) },
            FigureSpec.Ops("cpython.write4k", () => []) with { External = cpython is null ? null : d => cpython.MeasureAsync("write4k", d) },
            new FigureSpec("remote.stream.actors", "MB/s", RemoteStreamCaller.RangeBytes, 1e-6, () => [new RemoteStreamCaller(remote.ActorsOnlyHandle, length)]),
            new FigureSpec("remote.read1m.c16", "MB/s", Caller.Chunk, 1e-6,
                () => remote.Handles.Select((h, i) => (Caller)new RemoteRead1mCaller(h, length, i)).ToArray()),
            FigureSpec.Ops("raw.write4k", () => [new RawWrite4kCaller(rawMap)]),
            FigureSpec.Ops("local.write4k.c16", () => handles.Take(16).Select(h => (Caller)new ClientWrite4kCaller(h, length)).ToArray()),
        ];
        // Without python3 the cpython.* figures are left out (the report lists no ratio to them).
        specs = [.. specs.Where(s => cpython is not null || !s.Name.StartsWith("cpython.", StringComparison.Ordinal))];
        if (options.Diagnostics)
        {
            specs = [.. specs.SkipLast(2), .. await DiagnosticsAsync(env, echo, descriptor).ConfigureAwait(false), .. specs.TakeLast(2)];
        }
        // Unguarded reads through a lease of the raw map: the SIGBUS guard's cost, measured beside raw.read4k.
        using var rawLease = rawMap.Lease();
        if (options.Diagnostics || options.Filters.Any(f => "diag.raw.read4k.unguarded".Contains(f, StringComparison.OrdinalIgnoreCase)))
        {
            specs = [.. specs.SkipLast(2), FigureSpec.Ops("diag.raw.read4k.unguarded", () => [new UnguardedRead4kCaller(rawLease)]), .. specs.TakeLast(2)];
        }
        var selected = Select(specs, options.Filters, options.WithBaselines);
        Console.Error.WriteLine($"setup done in {clock.Elapsed.TotalSeconds:F1} s; measuring {selected.Count} figure(s), " +
                                $"{options.Warmup.TotalSeconds:0.##} s warm-up + {options.Duration.TotalSeconds:0.##} s each in {options.Rounds} interleaved round(s)");

        // Reads first, then writes, so dirty pages being written back cannot slow a read figure.
        var runs = new List<FigureRun>();
        foreach (var group in selected.GroupBy(s => s.Name.Contains("write", StringComparison.Ordinal)).OrderBy(g => g.Key))
        {
            runs.AddRange(await MeasureInterleavedAsync([.. group], options).ConfigureAwait(false));
        }
        var figures = runs.Select(r => r.ToFigure()).ToList();
        Console.WriteLine();
        Report.Print(Console.Out, figures, Comparisons, AbsoluteTargets);
        Console.WriteLine($"slices (min .. max of {options.Rounds}); process CPU time, minor page faults, context switches and bytes allocated per caller step:");
        int width = runs.Max(r => r.Spec.Name.Length);
        foreach (var run in runs)
        {
            Console.WriteLine($"  {run.Spec.Name.PadRight(width)}  {run.Spread,-36}  {run.PerStep}");
        }
        if (options.JsonPath is { } json)
        {
            Report.WriteJson(json, figures);
            Console.Error.WriteLine($"wrote {json}");
        }
        Console.Error.WriteLine($"machine: load average {LoadAverage()} (after); total {clock.Elapsed.TotalSeconds:F1} s");
        return 0;
    }

    /// <summary>
    /// The <c>diag.*</c> figures, which take <c>local.read4k</c> apart: the Ask timeout the client passes, the owner's
    /// dedicated dispatcher, the client and owner path without engine work, the owner asked directly without a timeout,
    /// the file-size syscall the engine made on every access before the SIGBUS guard, a reply sink in place of Ask (a prototype), and one
    /// mapping shared by 16 callers in place of 16.
    /// </summary>
    private static async Task<FigureSpec[]> DiagnosticsAsync(BenchEnvironment env, IActorRef echo, SafeFileHandle descriptor)
    {
        var askTimeout = MmapExtension.Get(env.System).Settings.AskTimeout;
        var config = env.System.Settings.Config;
        Console.Error.WriteLine($"diag: default-dispatcher executor = {config.GetString("akka.actor.default-dispatcher.executor")}, " +
                                $"owner-dispatcher type = {config.GetString("mmap.owner-dispatcher.type")} " +
                                $"(executor {config.GetString("mmap.owner-dispatcher.executor")}, throughput {config.GetInt("mmap.owner-dispatcher.throughput")})");
        var echoOnOwnerDispatcher = env.System.ActorOf(EchoActor.Props(MmapSettings.OwnerDispatcherId), "echo-owner-dispatcher");
        // Handles opened straight from the supervisor, as the client does, but used without the client; MAP_POPULATE
        // pre-faults them.
        var supervisor = MmapExtension.Get(env.System).Supervisor;
        var direct = new MapOpened[16];
        for (int i = 0; i < direct.Length; i++)
        {
            var options = new MapOptions(env.File.Path, Flags: MapFlags.Shared | MapFlags.Populate);
            direct[i] = await supervisor.Ask<MapOpened>(new OpenMap(options, env.Client.Session), askTimeout).ConfigureAwait(false);
        }
        long length = BenchFile.Length;
        Caller[] Sixteen(Func<int, Caller> create) => Enumerable.Range(0, 16).Select(create).ToArray();
        return
        [
            FigureSpec.Ops("diag.echo.timeout.c1", () => [new EchoCaller(echo, askTimeout)]),
            FigureSpec.Ops("diag.echo.timeout.c16", () => Sixteen(_ => new EchoCaller(echo, askTimeout))),
            FigureSpec.Ops("diag.echo.ownerdisp.c1", () => [new EchoCaller(echoOnOwnerDispatcher)]),
            FigureSpec.Ops("diag.echo.ownerdisp.c16", () => Sixteen(_ => new EchoCaller(echoOnOwnerDispatcher))),
            FigureSpec.Ops("diag.echo.ownerdisp.timeout.c16", () => Sixteen(_ => new EchoCaller(echoOnOwnerDispatcher, askTimeout))),
            FigureSpec.Ops("diag.local.tell.c1", () => [new ClientTellCaller(env.Handles[0])]),
            FigureSpec.Ops("diag.local.tell.c16", () => Sixteen(i => new ClientTellCaller(env.Handles[i]))),
            FigureSpec.Ops("diag.direct.read4k.c16", () => Sixteen(i => new DirectOwnerRead4kCaller(direct[i], length))),
            FigureSpec.Ops("diag.raw.fstat", () => [new FstatCaller(descriptor)]),
            FigureSpec.Ops("diag.sink.echo.c1", () => [new SinkEchoCaller(env.System, echo)]),
            FigureSpec.Ops("diag.sink.echo.c16", () => Sixteen(_ => new SinkEchoCaller(env.System, echo))),
            FigureSpec.Ops("diag.sink.read4k.c1", () => [new SinkOwnerRead4kCaller(env.System, direct[0], length)]),
            FigureSpec.Ops("diag.sink.read4k.c16", () => Sixteen(i => new SinkOwnerRead4kCaller(env.System, direct[i], length))),
            // 16 callers on ONE handle, so one mapping: separates the cost of 16 mappings (page tables, TLB, write faults).
            FigureSpec.Ops("diag.local.read4k.c16.onehandle", () => Sixteen(_ => new ClientRead4kCaller(env.Handles[0], length))),
            FigureSpec.Ops("diag.local.write4k.c16.onehandle", () => Sixteen(_ => new ClientWrite4kCaller(env.Handles[0], length))),
        ];
    }

    /// <summary>The 1, 5 and 15 minute load averages, or "unknown" off Linux.</summary>
    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    /// <summary>The figures matching any filter (all without filters), plus, unless told not to, the baselines they are compared with.</summary>
    private static List<FigureSpec> Select(FigureSpec[] specs, IReadOnlyList<string> filters, bool withBaselines)
    {
        if (filters.Count == 0)
        {
            return [.. specs];
        }
        var names = specs.Select(s => s.Name).Where(n => filters.Any(f => n.Contains(f, StringComparison.OrdinalIgnoreCase))).ToHashSet();
        foreach (var c in Comparisons.Where(c => withBaselines && names.Contains(c.Figure)).ToArray())
        {
            names.Add(c.Baseline);
        }
        return specs.Where(s => names.Contains(s.Name)).ToList();
    }

    /// <summary>
    /// Measures the figures in <paramref name="options"/>.Rounds interleaved rounds (a b c, a b c, ...), each slice a
    /// fraction of the figure's time. On a shared 2-core machine the load from other processes comes and goes; slicing
    /// spreads it over every figure instead of landing on whichever ran at the wrong moment, so the ratios stay fair.
    /// </summary>
    private static async Task<List<FigureRun>> MeasureInterleavedAsync(IReadOnlyList<FigureSpec> specs, QuickOptions options)
    {
        var runs = specs.Select(s => new FigureRun(s, s.Callers())).ToList();
        var slice = options.Duration / options.Rounds;
        // Re-warm briefly before each later slice: the previous figure left other threads hot and this one's idle.
        var rewarm = options.Warmup < TimeSpan.FromMilliseconds(250) ? options.Warmup : TimeSpan.FromMilliseconds(250);
        for (int round = 0; round < options.Rounds; round++)
        {
            foreach (var run in runs)
            {
                if (run.Spec.External is { } external)
                {
                    await external(round == 0 ? options.Warmup : rewarm).ConfigureAwait(false);
                    var (externalSteps, externalElapsed, cpu) = await external(slice).ConfigureAwait(false);
                    run.Add(externalSteps, externalElapsed, new ProcessCounters(cpu, 0, 0, 0));
                    Console.Error.WriteLine($"  round {round + 1}/{options.Rounds}  {run.Spec.Name}  {Report.FormatValue(run.LastSlice)}");
                    continue;
                }
                // Start every slice from the same heap state: the previous figure's garbage must not be collected on our time.
                GC.Collect();
                GC.WaitForPendingFinalizers();
                await RunForAsync(run.Callers, round == 0 ? options.Warmup : rewarm).ConfigureAwait(false);
                if (round == 0)
                {
                    await WarmUntilJitQuietAsync(run).ConfigureAwait(false);
                }
                var before = ProcessCounters.Read();
                var (steps, elapsed) = await RunForAsync(run.Callers, slice).ConfigureAwait(false);
                run.Add(steps, elapsed, ProcessCounters.Read() - before);
                Console.Error.WriteLine($"  round {round + 1}/{options.Rounds}  {run.Spec.Name}  {Report.FormatValue(run.LastSlice)}");
            }
        }
        return runs;
    }

    /// <summary>
    /// Keeps a figure running after its warm-up until the JIT has been quiet for a whole slice (no method compiled
    /// anywhere in the process), at most <see cref="MaxJitSettle"/> longer. A long-running server measures its steady
    /// state, where tiered compilation is done; a busy 2-core machine can leave the background tier-up thread still
    /// compiling after the fixed warm-up, and its CPU then lands on the first figure's time (measured: 6 to 24 % of the
    /// samples of local.read1m, docs/benchmarks.md). CPython has no JIT, so this only removes what it never pays.
    /// </summary>
    private static async Task WarmUntilJitQuietAsync(FigureRun run)
    {
        var settle = Stopwatch.StartNew();
        long compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
        while (settle.Elapsed < MaxJitSettle)
        {
            await RunForAsync(run.Callers, JitQuietSlice).ConfigureAwait(false);
            long now = System.Runtime.JitInfo.GetCompiledMethodCount();
            if (now == compiled)
            {
                return;
            }
            compiled = now;
        }
        Console.Error.WriteLine($"  {run.Spec.Name}: the JIT was still compiling after {MaxJitSettle.TotalSeconds:0} s more warm-up; measuring anyway");
    }

    /// <summary>How long the JIT must be quiet before a figure is measured.</summary>
    private static readonly TimeSpan JitQuietSlice = TimeSpan.FromMilliseconds(300);

    /// <summary>The most warm-up added to wait for the JIT to be quiet.</summary>
    private static readonly TimeSpan MaxJitSettle = TimeSpan.FromSeconds(6);

    /// <summary>Runs the callers for <paramref name="duration"/>; the clock stops only when the last operation in flight
    /// has completed, and those operations count, so ops/s = completed ops / elapsed.</summary>
    private static async Task<(long Steps, TimeSpan Elapsed)> RunForAsync(IReadOnlyList<Caller> callers, TimeSpan duration)
    {
        var stop = new StopFlag();
        var clock = Stopwatch.StartNew();
        var running = Concurrently.RunUntilAsync(callers, stop);
        await Task.Delay(duration).ConfigureAwait(false);
        stop.Set();
        long[] steps = await running.ConfigureAwait(false);
        clock.Stop();
        return (steps.Sum(), clock.Elapsed);
    }
}
