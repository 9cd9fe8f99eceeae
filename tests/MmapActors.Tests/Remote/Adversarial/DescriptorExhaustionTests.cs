using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using MmapActors.Remote;
using Xunit.Abstractions;

namespace MmapActors.Tests.Remote.Adversarial;

/// <summary>
/// A server started under a small <c>ulimit -n</c> and driven by many clients that open files until refused: running
/// out of descriptors is a typed refusal (errno 24, EMFILE), never the death of the process, and the server serves again
/// once the clients leave. Run alone: it starts a process and a dozen client systems.
/// </summary>
[Collection(NonParallelCollection.Name)]
public sealed class DescriptorExhaustionTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int OpenFileLimit = 256;
    private const int Systems = 25, SessionsPerSystem = 4; // 100 sessions over 25 connections (a node may hold 16 sessions)
    private const int Files = 600; // far more than the limit allows open: every client ends refused
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);

    private readonly string _root = Directory.CreateTempSubdirectory("mmap-fds-").FullName;
    private readonly List<ActorSystem> _systems = [];
    private ServerProcess _server = null!;

    public async Task InitializeAsync()
    {
        for (int i = 0; i < Files; i++)
        {
            await File.WriteAllBytesAsync(Path.Combine(_root, $"f{i}.bin"), new byte[4096]);
        }
        _server = await ServerProcess.StartAsync(_root, openFileLimit: OpenFileLimit);
        var config = ConfigurationFactory.ParseString("akka.loglevel = OFF\nmmap.ask-timeout = 15s").WithFallback(RemoteConfig.Client);
        for (int i = 0; i < Systems; i++)
        {
            _systems.Add(ActorSystem.Create($"fds-client-{i}", config));
        }
    }

    public async Task DisposeAsync()
    {
        await Task.WhenAll(_systems.Select(s => s.Terminate()));
        await _server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task A_server_out_of_descriptors_refuses_opens_with_EMFILE_stays_up_and_serves_again_when_clients_leave()
    {
        var clock = Stopwatch.StartNew();
        var clients = new List<MmapClient>();
        foreach (var system in _systems)
        {
            for (int i = 0; i < SessionsPerSystem; i++)
            {
                clients.Add(await MmapRemote.ConnectAsync(system, _server.Address));
            }
        }
        var held = new ConcurrentBag<IMappedFile>();
        var refusals = new ConcurrentBag<MmapException>();
        var failures = new ConcurrentBag<Exception>(); // anything but a typed refusal
        int next = -1;

        // Every client opens another file until it is refused (or the files or the time run out).
        await Task.WhenAll(clients.Select(client => Task.Run(async () =>
        {
            while (clock.Elapsed < Deadline && Interlocked.Increment(ref next) is var i && i < Files)
            {
                try
                {
                    held.Add(await client.OpenAsync($"f{i}.bin", access: MmapAccess.Read));
                }
                catch (MmapException e) when (e.Errno is 24 or 12)
                {
                    refusals.Add(e);
                    return;
                }
                catch (Exception e)
                {
                    failures.Add(e);
                    return;
                }
            }
        })));
        output.WriteLine($"{held.Count} handles open, {refusals.Count} refusals, {failures.Count} other failures, in {clock.Elapsed}");
        output.WriteLine("server descriptors: " + DescribeDescriptors(_server.Pid));
        output.WriteLine("threads: " + Directory.EnumerateDirectories($"/proc/{_server.Pid}/task").Count());
        foreach (var reason in refusals.Select(e => e.Message).Distinct().Take(5))
        {
            output.WriteLine("refused: " + reason);
        }
        foreach (var line in _server.Output.Where(l => !l.Contains("Session opened")).Take(100))
        {
            output.WriteLine("server: " + line);
        }

        Assert.False(_server.HasExited, "the server died:\n" + string.Join("\n", _server.Output.TakeLast(30)));
        Assert.True(failures.IsEmpty, "failures other than a typed refusal:\n" + string.Join("\n", failures.Take(5)));
        Assert.Contains(refusals, e => e.Errno == 24 && e.Code == MmapErrorCode.LimitExceeded && e.Message.Contains("Too many open files"));
        Assert.NotEmpty(held);
        Assert.Contains(_server.Output, line => line.Contains("Open handles: at most", StringComparison.Ordinal)); // what it chose, and why

        // At the limit, what is open is still served.
        var first = held.First();
        Assert.Equal(new byte[16], await first.ReadAtAsync(0, 16));

        // The clients leave; the server serves a newcomer again.
        foreach (var file in held)
        {
            await file.DisposeAsync();
        }
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
        await using var newcomer = await MmapRemote.ConnectAsync(_server.Address, "akka.loglevel = OFF");
        await using var again = await newcomer.OpenAsync($"f{Files - 1}.bin", access: MmapAccess.Read);
        Assert.Equal(new byte[16], await again.ReadAtAsync(0, 16));
        Assert.False(_server.HasExited);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"{clock.Elapsed}");
    }

    /// <summary>What the process's descriptors are, by kind: how close to its limit it ran, and on what.</summary>
    private static string DescribeDescriptors(int pid) => string.Join(", ", Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd")
        .Select(fd =>
        {
            try
            {
                string target = new FileInfo(fd).LinkTarget ?? "?";
                return target.Contains('[') ? target[..target.IndexOf('[')] : target.EndsWith(".dll", StringComparison.Ordinal) ? "assembly" :
                    target.Contains("mmap-fds-", StringComparison.Ordinal) ? "served file" : target;
            }
            catch (IOException)
            {
                return "closed meanwhile";
            }
        })
        .GroupBy(kind => kind).Select(g => $"{g.Key} x{g.Count()}"));
}
