using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using MmapActors.Protocol;
using Xunit.Abstractions;

namespace MmapActors.Tests.Actors;

public sealed class ClientApiTests(ITestOutputHelper output) : TestKit("akka.loglevel = WARNING", output)
{
    [Fact]
    public async Task Reads_into_caller_memory_copy_the_range_without_moving_the_cursor()
    {
        using var file = new TempFile(10000, seed: 5);
        await using var client = MmapClient.Create(Sys);
        await using var handle = await client.OpenAsync(file.Path);
        var buffer = new byte[100];

        int copied = await handle.ReadAtAsync(9950, buffer.AsMemory(10, 80));

        Assert.Equal(50, copied);
        Assert.Equal(file.ReadAll().AsSpan(9950, 50).ToArray(), buffer.AsSpan(10, 50).ToArray());
        Assert.Equal(0, await handle.TellAsync());
        Assert.Equal(40, await handle.ReadAsync(buffer.AsMemory(0, 40)));
        Assert.Equal(40, await handle.TellAsync());
    }

    [Fact]
    public async Task A_read_into_memory_with_a_cancelled_token_throws_and_leaves_the_buffer_untouched()
    {
        using var file = new TempFile(4096, seed: 6);
        await using var client = MmapClient.Create(Sys);
        await using var handle = await client.OpenAsync(file.Path);
        var buffer = new byte[16];
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => handle.ReadAtAsync(0, buffer.AsMemory(), cancelled.Token));
        Assert.All(buffer, b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task Error_replies_are_thrown_as_MmapException_with_CPython_class_message_and_errno()
    {
        using var file = new TempFile(4096);
        await using var client = MmapClient.Create(Sys);
        await using var handle = await client.OpenAsync(file.Path, access: MmapAccess.Read);

        var readOnly = await Assert.ThrowsAsync<MmapException>(() => handle.WriteAtAsync(0, new byte[] { 1 }));
        Assert.Equal(MmapErrorKind.TypeError, readOnly.Kind);
        Assert.Equal("mmap can't modify a readonly memory map.", readOnly.Message);
        var unaligned = await Assert.ThrowsAsync<MmapException>(() => client.OpenAsync(file.Path, 1, offset: 100));
        Assert.Equal(("OSError", 22), (unaligned.PythonTypeName, unaligned.Errno));
        var missing = await Assert.ThrowsAsync<MmapException>(() => client.OpenAsync(file.Path + ".missing"));
        Assert.Equal("FileNotFoundError", missing.PythonTypeName);
    }

    [Fact]
    public async Task Compare_and_swap_reports_a_mismatch_as_false_and_changes_nothing()
    {
        using var file = new TempFile(new byte[] { 1, 2, 3, 4 });
        await using var client = MmapClient.Create(Sys);
        await using var handle = await client.OpenAsync(file.Path);

        Assert.False(await handle.CompareAndSwapAsync(0, new byte[] { 9, 9 }, new byte[] { 7, 7 }));
        Assert.True(await handle.CompareAndSwapAsync(0, new byte[] { 1, 2 }, new byte[] { 7, 7 }));
        Assert.Equal(new byte[] { 7, 7, 3, 4 }, file.ReadAll());
        await Assert.ThrowsAsync<MmapException>(() => handle.CompareAndSwapAsync(3, new byte[] { 4, 0 }, new byte[] { 1, 1 }));
    }

    [Fact]
    public async Task Disposing_the_client_releases_every_handle_it_opened()
    {
        using var file = new TempFile(4096);
        var client = MmapClient.Create(Sys);
        await client.OpenAsync(file.Path);
        await client.CreateAnonymousAsync(8192);
        await using var other = MmapClient.Create(Sys);
        Assert.Equal(2, (await other.GetStatsAsync()).OpenHandles);

        await client.DisposeAsync();

        await AwaitAssertAsync(async () => Assert.Equal(0, (await other.GetStatsAsync()).OpenHandles), TimeSpan.FromSeconds(5));
        Assert.Equal(0, ProcSelf.DescriptorsOn(file.Path));
    }

    [Fact]
    public async Task An_owner_that_does_not_answer_makes_the_call_fail_with_MmapTimeoutException()
    {
        var silent = Sys.ActorOf(Props.Empty);
        var handle = new Client.MappedFile(new MapOpened(silent, 1, "silent", MmapAccess.Default), TimeSpan.FromMilliseconds(200), Sys.WhenTerminated);

        var e = await Assert.ThrowsAsync<MmapTimeoutException>(() => handle.TellAsync());
        Assert.Contains("silent", e.Message);
    }

    [Fact]
    public async Task A_late_reply_after_a_timeout_never_completes_a_later_call()
    {
        // Replies to every request half a second late, numbering the replies.
        var slow = Sys.ActorOf(Props.Create(() => new LateReplier(TimeSpan.FromMilliseconds(500))));
        using var sinks = new Client.ReplySinkPool(Sys, TimeSpan.FromMilliseconds(200));
        var handle = new Client.MappedFile(new MapOpened(slow, 1, "slow", MmapAccess.Default), TimeSpan.FromMilliseconds(200), Sys.WhenTerminated, sinks: sinks);
        await Assert.ThrowsAsync<MmapTimeoutException>(() => handle.TellAsync());

        var second = new Client.MappedFile(new MapOpened(slow, 1, "slow", MmapAccess.Default), TimeSpan.FromSeconds(5), Sys.WhenTerminated, sinks: sinks);

        // Reply 1 arrives while call 2 waits on the same pool: call 2 must get reply 2.
        Assert.Equal(2, await second.TellAsync());
    }

    private sealed class LateReplier : ReceiveActor
    {
        private long _count;

        public LateReplier(TimeSpan delay) => ReceiveAny(_ =>
            Context.System.Scheduler.ScheduleTellOnce(delay, Sender, new NumberReply(++_count), Self));
    }

    [Fact]
    public async Task Cancelling_a_call_to_a_busy_local_owner_abandons_the_wait()
    {
        var silent = Sys.ActorOf(Props.Empty);
        using var sinks = new Client.ReplySinkPool(Sys, TimeSpan.FromMinutes(1));
        var handle = new Client.MappedFile(new MapOpened(silent, 1, "silent", MmapAccess.Default), TimeSpan.FromMinutes(1), Sys.WhenTerminated, sinks: sinks);
        using var cancel = new CancellationTokenSource();

        var call = handle.TellAsync(cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
    }

    [Fact]
    public async Task Coordinated_shutdown_flushes_and_unmaps_every_map()
    {
        using var file = new TempFile(8192);
        var system = ActorSystem.Create("shutdown", ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
        try
        {
            var client = MmapClient.Create(system);
            var handle = await client.OpenAsync(file.Path);
            await handle.WriteAtAsync(4096, "before shutdown"u8.ToArray());
            Assert.Equal(1, ProcSelf.MappingsOf(file.Path));

            await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance);

            Assert.Equal(0, ProcSelf.MappingsOf(file.Path));
            Assert.Equal(0, ProcSelf.DescriptorsOn(file.Path));
            Assert.Equal("before shutdown"u8.ToArray(), file.ReadAll().AsSpan(4096, 15).ToArray());
        }
        finally
        {
            await system.Terminate();
        }
    }
}
