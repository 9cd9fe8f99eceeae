using System.Diagnostics;
using System.Runtime.InteropServices;
using Akka.Actor;
using MmapActors.Protocol;
using MmapActors.Remote;

namespace MmapActors.Tests.Remote.Adversarial;

/// <summary>A client learns within seconds, never at its ask timeout, that its server or the owner of its handle is
/// gone, with an error that names the operation.</summary>
[Collection(NonParallelCollection.Name)]
public sealed partial class FailFastTests
{
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    private const int SIGSTOP = 19, SIGCONT = 18;

    private static async Task<(ServerProcess Server, MmapClient Client, string Root)> StartAsync()
    {
        string root = Directory.CreateTempSubdirectory("mmap-failfast-").FullName;
        await File.WriteAllBytesAsync(Path.Combine(root, "big.bin"), new byte[64 << 20]);
        var server = await ServerProcess.StartAsync(root);
        var client = await MmapRemote.ConnectAsync(server.Address, "akka.loglevel = OFF\nmmap.ask-timeout = 60s");
        return (server, client, root);
    }

    [Fact]
    public async Task A_killed_server_fails_the_transfer_in_flight_and_every_later_call_at_once()
    {
        var (server, client, root) = await StartAsync();
        try
        {
            await using var file = await client.OpenAsync("big.bin", access: MmapAccess.Read);
            var transfer = Task.Run(async () =>
            {
                for (int i = 0; i < 1000; i++)
                {
                    await file.ReadRangeAsync(0, 64 << 20, Stream.Null);
                }
            });
            await Task.Delay(300);
            var clock = Stopwatch.StartNew();

            Process.GetProcessById(server.Pid).Kill();

            var e = await Assert.ThrowsAsync<MmapException>(() => transfer);
            Assert.Equal(104, e.Errno);
            Assert.Contains("ReadAt", e.Message);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{clock.Elapsed}");
            var next = await Assert.ThrowsAsync<MmapException>(() => file.LengthAsync());
            Assert.Equal(104, next.Errno);
            Assert.Contains("Length", next.Message);
            var open = await Assert.ThrowsAsync<MmapException>(() => client.OpenAsync("big.bin"));
            Assert.Contains("OpenMap", open.Message);
        }
        finally
        {
            await client.DisposeAsync();
            await server.DisposeAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task A_server_that_stops_answering_is_known_lost_within_seconds()
    {
        var (server, client, root) = await StartAsync();
        try
        {
            await using var file = await client.OpenAsync("big.bin", access: MmapAccess.Read);
            var clock = Stopwatch.StartNew();

            Assert.Equal(0, Kill(server.Pid, SIGSTOP));
            var e = await Assert.ThrowsAsync<MmapException>(() => file.ReadAtAsync(0, 16));

            Assert.Equal(104, e.Errno);
            Assert.Contains("sent nothing", e.Message);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{clock.Elapsed}");
        }
        finally
        {
            Kill(server.Pid, SIGCONT);
            await client.DisposeAsync();
            await server.DisposeAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task An_owner_stopped_after_repeated_failures_fails_its_handles_at_once()
    {
        await using var server = await AttackedServer.StartAsync("mmap.enable-test-hooks = on\nmmap.restart.max-restarts = 0");
        await using var file = await server.Honest.OpenAsync(server.Write("f.bin", new byte[4096]));
        var owner = await server.Server.System.ActorSelection("/user/mmap/*").ResolveOne(TimeSpan.FromSeconds(5));
        var clock = Stopwatch.StartNew();

        owner.Tell(new InjectFault("a bug fired"));
        MmapException? e = null;
        while (e is null && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                await file.ReadAtAsync(0, 1); // answered until the owner is gone, then failed at once
            }
            catch (MmapException failed)
            {
                e = failed;
            }
        }

        Assert.NotNull(e);
        Assert.Equal(5, e.Errno);
        Assert.Contains("ReadAt failed", e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{clock.Elapsed}");
        await server.AssertStillServesAsync();
    }
}
