using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using MmapActors.Tests.Cli;
using MmapActors.Tests.Remote;
using Xunit.Abstractions;

namespace MmapActors.Tests.Cluster;

/// <summary>Three <c>mmapctl serve --cluster</c> processes on 127.0.0.1: what an operator runs, killed as a machine dies.</summary>
[Trait("Category", "Cluster")]
[Collection(NonParallelCollection.Name)]
public sealed partial class ClusterProcessTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("mmap-cluster-process-").FullName;
    private readonly string _work = Directory.CreateTempSubdirectory("mmap-cluster-work-").FullName;
    private readonly List<Node> _nodes = new();

    private sealed record Node(Process Process, int MemberPort, string Door, List<string> Lines);

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_file_put_through_node_1_reads_back_identical_through_node_3_and_through_a_survivor_after_its_owner_is_SIGKILLed()
    {
        string config = Path.Combine(_work, "fast.hocon");
        await File.WriteAllTextAsync(config, """
            akka.cluster.failure-detector.heartbeat-interval = 500ms
            akka.cluster.failure-detector.acceptable-heartbeat-pause = 2s
            akka.cluster.split-brain-resolver.stable-after = 2s
            akka.cluster.sharding.retry-interval = 200ms
            akka.cluster.singleton.hand-over-retry-interval = 200ms
            mmap.ask-timeout = 10s
            """);
        var elapsed = await KillTheOwnerAndReadBackThroughASurvivorAsync(config, inProcessClient: false);
        Assert.True(elapsed < TimeSpan.FromSeconds(60), $"no survivor served the file within 60 s of the kill ({elapsed})");
    }

    [Fact]
    public async Task With_the_default_timings_a_survivor_serves_the_file_byte_identical_within_10_s_of_a_SIGKILL_of_its_owner()
    {
        // No --config: config/cluster.hocon's failure detector, resolver, removal margin and sharding retries. The reads
        // after the kill come from a client in this process (no process start per attempt) that gives up after 1 s (its
        // own ask time-out), so that an open sent to the dead member before the survivors removed it (lost with it, and
        // answered only by a time-out) does not hide when the survivor serves.
        var elapsed = await KillTheOwnerAndReadBackThroughASurvivorAsync(config: null, inProcessClient: true);
        Assert.True(elapsed < TimeSpan.FromSeconds(10), $"a survivor served the file {elapsed.TotalSeconds:0.0} s after the kill");
    }

    /// <summary>Three nodes; a file put through node 1 is read back through node 3; its owner's process is SIGKILLed and
    /// the file read again through a survivor until that succeeds (bounded at 60 s): byte-identical.</summary>
    /// <returns>How long after the kill the survivor's read completed.</returns>
    private async Task<TimeSpan> KillTheOwnerAndReadBackThroughASurvivorAsync(string? config, bool inProcessClient)
    {
        var ports = FreePorts(6);
        var first = await StartNodeAsync(ports[0], ports[1], config, seeds: null);
        string seed = $"akka.tcp://mmap@127.0.0.1:{ports[0]}";
        await Task.WhenAll(StartNodeAsync(ports[2], ports[3], config, seed), StartNodeAsync(ports[4], ports[5], config, seed));

        Directory.CreateDirectory(Path.Combine(_root, "shared"));
        var content = new byte[3 * 1024 * 1024 + 17];
        new Random(12).NextBytes(content);
        string local = Path.Combine(_work, "payload.bin");
        await File.WriteAllBytesAsync(local, content);

        var put = await Mmapctl.RunAsync("put", "shared/payload.bin", "-i", local, "--server", _nodes[0].Door);
        Assert.True(put.Exit == 0, put.All);
        Assert.Equal(content, await GetAsync(_nodes[2], "through-3.bin"));

        var stat = await Mmapctl.RunAsync("stat", "shared/payload.bin", "--server", _nodes[2].Door);
        Assert.True(stat.Exit == 0, stat.All);
        var owner = OwnerLine().Match(stat.Out);
        Assert.True(owner.Success, $"no owner line in: {stat.Out}");
        int ownerPort = int.Parse(owner.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var victim = _nodes.Single(n => n.MemberPort == ownerPort);
        var survivor = _nodes.First(n => n != victim);
        await using var client = inProcessClient
            ? await MmapActors.Remote.MmapRemote.ConnectAsync(survivor.Door, "akka.loglevel = WARNING\nmmap.ask-timeout = 1s")
            : null;

        var clock = Stopwatch.StartNew();
        Mmapctl.Signal(victim.Process.Id, 9);
        await victim.Process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);

        // The survivors down the dead member and a survivor takes the file: until then a read may fail (typed), never lie.
        byte[]? after = null;
        while (after is null)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "no survivor served the file within 60 s of the kill");
            after = client is null ? await TryGetAsync(survivor, "after-kill.bin") : await TryReadAsync(client, content.Length);
        }
        var elapsed = clock.Elapsed;
        output.WriteLine($"read back through a survivor {elapsed.TotalSeconds:0.0} s after SIGKILL of the owner");
        Assert.Equal(content, after);
        var restat = await Mmapctl.RunAsync("stat", "shared/payload.bin", "--server", survivor.Door);
        Assert.DoesNotContain($":{ownerPort}", restat.Out);

        // What the survivors logged about a member that died: one short line per event, no stack trace.
        foreach (var node in _nodes.Where(n => n != victim))
        {
            string log;
            lock (node.Lines)
            {
                log = string.Join("\n", node.Lines);
            }
            output.WriteLine(log);
            Mmapctl.AssertNoStackTrace(log);
            Assert.All(log.Split('\n'), line => Assert.True(line.Length <= 250, $"{line.Length} characters: {line}"));
        }
        return elapsed;
    }

    [Fact]
    public async Task A_member_downed_by_the_cluster_exits_with_the_downed_code_and_says_why_rather_than_0()
    {
        // The seed is a member in this process, so the test can down the process's member as the resolver would.
        var seed = MmapActors.Cluster.MmapCluster.CreateSystem(new MmapActors.Cluster.MmapClusterOptions
        {
            Root = _root, Port = 0, Config = Akka.Configuration.ConfigurationFactory.ParseString(TestCluster.FastFailover),
        });
        try
        {
            await MmapActors.Cluster.MmapCluster.Get(seed).WhenUp.WaitAsync(TimeSpan.FromSeconds(30));
            var ports = FreePorts(2);
            var node = await StartNodeAsync(ports[0], ports[1], config: null, MmapActors.Cluster.MmapCluster.Get(seed).SelfAddress.ToString());
            await TestCluster.WaitForUpAsync([seed], 2, TimeSpan.FromSeconds(30));

            Akka.Cluster.Cluster.Get(seed).Down(Akka.Actor.Address.Parse($"akka.tcp://mmap@127.0.0.1:{ports[0]}"));

            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await node.Process.WaitForExitAsync(deadline.Token);
            Assert.Equal(7, node.Process.ExitCode);
            lock (node.Lines)
            {
                Assert.Contains(node.Lines, l => l.Contains("this node was downed by the cluster", StringComparison.Ordinal));
                Mmapctl.AssertNoStackTrace(string.Join("\n", node.Lines));
            }
        }
        finally
        {
            await seed.Terminate().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    public async Task Serve_cluster_with_a_public_host_advertises_it_on_the_door_and_on_the_member()
    {
        var ports = FreePorts(2);
        var node = await StartNodeAsync(ports[0], ports[1], config: null, seeds: null, "--public-host", "localhost");

        Assert.Equal($"akka.tcp://mmap@localhost:{ports[1]}", node.Door);
        Assert.Contains(node.Lines, l => l.StartsWith($"mmapctl: cluster member akka.tcp://mmap@localhost:{ports[0]}", StringComparison.Ordinal));
        await File.WriteAllBytesAsync(Path.Combine(_root, "named.bin"), new byte[10]);
        var stat = await Mmapctl.RunAsync("stat", "named.bin", "--server", node.Door);
        Assert.True(stat.Exit == 0, stat.All);
    }

    [Fact]
    public async Task Serve_cluster_refuses_an_http_port_with_a_usage_error_instead_of_ignoring_it()
    {
        var ports = FreePorts(3);
        var result = await Mmapctl.RunAsync(["serve", "--cluster", "--root", _root, "--port", $"{ports[0]}", "--client-port", $"{ports[1]}",
            "--http-port", $"{ports[2]}"], timeout: TimeSpan.FromSeconds(60));

        Assert.Equal(2, result.Exit);
        Assert.Contains("--http-port with --cluster", result.Err);
        Mmapctl.AssertNoStackTrace(result.All);
    }

    [Fact]
    public async Task Serve_cluster_on_every_interface_without_TLS_is_refused_with_a_usage_error_naming_the_member_port_and_the_remedy()
    {
        var ports = FreePorts(2);
        // --allow-insecure accepts the clear-text door only: the member port needs its own switch.
        using var process = ServerProcess.StartMmapctl("serve", "--cluster", "--root", _root, "--host", "0.0.0.0", "--port", $"{ports[0]}",
            "--client-port", $"{ports[1]}", "--allow-insecure");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(deadline.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true); // a node that started after all: stop it, then fail below
                await process.WaitForExitAsync();
            }
        }
        string output = await stdout, error = await stderr;

        Assert.Equal(2, process.ExitCode);
        Assert.Contains($"cluster member port {ports[0]} on '0.0.0.0' without TLS", error);
        Assert.Contains("--allow-insecure-members", error);
        Assert.Contains("enable-ssl", error);
        Assert.DoesNotContain("cluster member akka.tcp", output); // it never started
        Mmapctl.AssertNoStackTrace(output + error);
    }

    [Fact]
    public async Task Allow_insecure_members_without_cluster_is_a_usage_error_rather_than_ignored()
    {
        var result = await Mmapctl.RunAsync(["serve", "--root", _root, "--port", "0", "--http-port", "0", "--allow-insecure-members"],
            timeout: TimeSpan.FromSeconds(60));

        Assert.Equal(2, result.Exit);
        Assert.Contains("--allow-insecure-members without --cluster", result.Err);
        Mmapctl.AssertNoStackTrace(result.All);
    }

    [Fact]
    public async Task Serve_cluster_keeps_the_loggers_a_config_file_chooses_for_its_door()
    {
        string config = Path.Combine(_work, "loggers.hocon");
        await File.WriteAllTextAsync(config, """
            akka.loglevel = INFO
            akka.loggers = ["Akka.Event.DefaultLogger"]
            """);
        var ports = FreePorts(2);
        var node = await StartNodeAsync(ports[0], ports[1], config, seeds: null);

        var stat = await Mmapctl.RunAsync("stat", "--server", node.Door);
        Assert.True(stat.Exit == 0, stat.All);

        // The door's session logs the client's disconnect at INFO; the operator's logger (not mmapctl's one-line logger,
        // which has no thread field) writes it.
        await Mmapctl.AwaitAsync(() =>
        {
            lock (node.Lines)
            {
                return node.Lines.FirstOrDefault(l => l.Contains("disconnected; its handles are released", StringComparison.Ordinal));
            }
        }, TimeSpan.FromSeconds(30), "the door's disconnect line");
        lock (node.Lines)
        {
            Assert.Contains(node.Lines, l => l.Contains("disconnected; its handles are released", StringComparison.Ordinal) &&
                                             l.Contains("][Thread ", StringComparison.Ordinal));
        }
    }

    private async Task<byte[]> GetAsync(Node node, string name) =>
        await TryGetAsync(node, name) ?? throw new InvalidOperationException($"get through {node.Door} failed");

    /// <summary>Opens and reads the whole file through <paramref name="client"/>; null when the open or a read fails.</summary>
    private async Task<byte[]?> TryReadAsync(MmapClient client, int length)
    {
        try
        {
            await using var file = await client.OpenAsync("shared/payload.bin", access: MmapAccess.Read);
            var bytes = new byte[length];
            for (int offset = 0; offset < length; offset += 1 << 20)
            {
                await file.ReadAtAsync(offset, bytes.AsMemory(offset, Math.Min(1 << 20, length - offset)));
            }
            return bytes;
        }
        catch (Exception e) when (e is MmapException or MmapTimeoutException)
        {
            output.WriteLine($"read through the survivor's door: {e.GetType().Name} {e.Message}");
            return null;
        }
    }

    private async Task<byte[]?> TryGetAsync(Node node, string name)
    {
        string target = Path.Combine(_work, name);
        var get = await Mmapctl.RunAsync(["get", "shared/payload.bin", "-o", target, "--server", node.Door], timeout: TimeSpan.FromSeconds(60));
        output.WriteLine($"get through {node.Door}: exit {get.Exit} {get.Err.Trim()}");
        return get.Exit == 0 ? await File.ReadAllBytesAsync(target) : null;
    }

    private async Task<Node> StartNodeAsync(int memberPort, int clientPort, string? config, string? seeds, params string[] more)
    {
        var arguments = new List<string>
        {
            "serve", "--cluster", "--root", _root, "--port", memberPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--client-port", clientPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (config is not null)
        {
            arguments.AddRange(["--config", config]);
        }
        arguments.AddRange(more);
        if (seeds is not null)
        {
            arguments.AddRange(["--seed-nodes", seeds]);
        }
        var process = ServerProcess.StartMmapctl([.. arguments]);
        var lines = new List<string>();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                lines.Add(line);
                if (DoorLine().Match(line) is { Success: true } m)
                {
                    var node = new Node(process, memberPort, m.Groups[1].Value, lines);
                    lock (_nodes)
                    {
                        _nodes.Add(node);
                    }
                    _ = DrainAsync(process.StandardOutput, lines);
                    _ = DrainAsync(process.StandardError, lines);
                    return node;
                }
            }
            throw new InvalidOperationException($"mmapctl serve --cluster exited early: {string.Join("\n", lines)}\n{await process.StandardError.ReadToEndAsync()}");
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    private static async Task DrainAsync(StreamReader reader, List<string> lines)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (lines)
            {
                lines.Add(line);
            }
        }
    }

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }

    public async Task DisposeAsync()
    {
        // Every process this test started stops: SIGTERM (a graceful leave), then SIGKILL after 20 s.
        foreach (var node in _nodes.Where(n => !n.Process.HasExited))
        {
            Mmapctl.Signal(node.Process.Id, 15);
        }
        foreach (var node in _nodes)
        {
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await node.Process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                node.Process.Kill(entireProcessTree: true);
                output.WriteLine($"node {node.Door} did not stop within 20 s of SIGTERM:\n{string.Join("\n", node.Lines.TakeLast(20))}");
            }
            node.Process.Dispose();
        }
        foreach (string directory in new[] { _root, _work })
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    [GeneratedRegex(@"^mmapctl: serving .* at (akka\.tcp://\S+?);")]
    private static partial Regex DoorLine();

    [GeneratedRegex(@"^owner: akka\.tcp://mmap@127\.0\.0\.1:(\d+)\s*$", RegexOptions.Multiline)]
    private static partial Regex OwnerLine();
}
