using Akka.Actor;
using Akka.TestKit.Xunit2;
using MmapActors.Actors;
using MmapActors.Protocol;
using Xunit.Abstractions;

namespace MmapActors.Tests.Actors;

public sealed class SupervisorTests(ITestOutputHelper output) : TestKit(Config, output)
{
    private const string Config = """
        akka.loglevel = INFO
        mmap {
          enable-test-hooks = on
          idle-timeout = 300ms
          restart { min-backoff = 20ms, max-backoff = 200ms, max-restarts = 3, within = 1m }
        }
        """;

    private IActorRef Supervisor => MmapExtension.Get(Sys).Supervisor;

    private MapOpened Open(string path, Akka.TestKit.TestProbe client, MmapAccess access = MmapAccess.Default)
    {
        Supervisor.Tell(new OpenMap(new MapOptions(path, Access: access), client.Ref), client.Ref);
        return client.ExpectMsg<MapOpened>();
    }

    private static MapReply Ask(MapOpened h, MapOperation op, Akka.TestKit.TestProbe client)
    {
        h.Owner.Tell(new MapRequest(h.HandleId, op), client.Ref);
        return client.ExpectMsg<MapReply>();
    }

    [Fact]
    public async Task An_injected_fault_restarts_the_owner_and_every_handle_keeps_its_cursor_and_data()
    {
        using var file = new TempFile(8192, seed: 3);
        var client = CreateTestProbe();
        var first = Open(file.Path, client);
        var second = Open(file.Path, client);
        var copy = Open(file.Path, client, MmapAccess.Copy);
        Ask(first, new Seek(5), client);
        Ask(second, new Seek(4097), client);
        Ask(first, new WriteAt(100, "written before"u8.ToArray()), client);
        Ask(copy, new WriteAt(0, "private"u8.ToArray()), client);

        await EventFilter.Warning(contains: "restarted").ExpectOneAsync(async () =>
        {
            first.Owner.Tell(new InjectFault("test"));
            await Task.Yield();
        });

        Assert.Equal(5, ((NumberReply)Ask(first, Tell.Instance, client)).Value);
        Assert.Equal(4097, ((NumberReply)Ask(second, Tell.Instance, client)).Value);
        Assert.Equal("written before"u8.ToArray(), ((BytesReply)Ask(second, new ReadAt(100, 14), client)).Data);
        Assert.Equal("private"u8.ToArray(), ((BytesReply)Ask(copy, new ReadAt(0, 7), client)).Data);
        Assert.IsType<Done>(Ask(first, new WriteAt(200, "after"u8.ToArray()), client));
        Assert.Equal("after"u8.ToArray(), file.ReadAll().AsSpan(200, 5).ToArray());
    }

    [Fact]
    public void An_owner_failing_more_often_than_max_restarts_is_stopped_and_reported()
    {
        using var file = new TempFile(4096);
        var client = CreateTestProbe();
        var events = CreateTestProbe();
        Sys.EventStream.Subscribe(events.Ref, typeof(OwnerFailed));
        var handle = Open(file.Path, client);
        Watch(handle.Owner);

        for (int i = 0; i < 4; i++)
        {
            handle.Owner.Tell(new InjectFault($"fault {i}"));
        }

        ExpectTerminated(handle.Owner, TimeSpan.FromSeconds(10));
        Assert.Equal(file.Path, events.ExpectMsg<OwnerFailed>().Key);
        // The file can be opened again: the supervisor starts a fresh owner.
        var again = Open(file.Path, client);
        Assert.NotEqual(handle.Owner, again.Owner);
    }

    [Fact]
    public async Task Stopping_a_client_actor_releases_its_handles()
    {
        using var file = new TempFile(4096);
        var doomed = CreateTestProbe();
        var survivor = CreateTestProbe();
        Open(file.Path, doomed);
        Open(file.Path, doomed);
        var kept = Open(file.Path, survivor);
        var stats = await Supervisor.Ask<MmapStats>(GetStats.Instance);
        Assert.Equal(3, stats.OpenHandles);
        Assert.Equal(2, stats.Files[0].HandlesPerClient[doomed.Ref.Path.ToString()]);

        Sys.Stop(doomed.Ref);

        await AwaitAssertAsync(async () =>
        {
            var after = await Supervisor.Ask<MmapStats>(GetStats.Instance);
            Assert.Equal(1, after.OpenHandles);
            Assert.False(after.Files[0].HandlesPerClient.ContainsKey(doomed.Ref.Path.ToString()));
        }, TimeSpan.FromSeconds(5));
        Assert.Equal(4096, ((NumberReply)Ask(kept, Length.Instance, survivor)).Value);
    }

    [Fact]
    public async Task An_owner_whose_last_handle_closed_is_stopped_after_the_idle_timeout()
    {
        using var file = new TempFile(4096);
        var client = CreateTestProbe();
        var handle = Open(file.Path, client);
        Watch(handle.Owner);

        Ask(handle, Close.Instance, client);

        ExpectTerminated(handle.Owner, TimeSpan.FromSeconds(5));
        Assert.Equal(0, (await Supervisor.Ask<MmapStats>(GetStats.Instance)).OpenFiles);
        Assert.Equal(0, ProcSelf.MappingsOf(file.Path));
        Assert.Equal(0, ProcSelf.DescriptorsOn(file.Path));
    }

    [Fact]
    public void A_handle_opened_during_the_idle_period_keeps_the_owner_alive()
    {
        using var file = new TempFile(4096);
        var client = CreateTestProbe();
        var first = Open(file.Path, client);
        Ask(first, Close.Instance, client);
        var second = Open(file.Path, client);
        Assert.Equal(first.Owner, second.Owner);

        Watch(second.Owner);
        ExpectNoMsg(TimeSpan.FromMilliseconds(900));
        Assert.IsType<NumberReply>(Ask(second, Length.Instance, client));
    }

    [Fact]
    public void A_resize_through_one_handle_is_seen_by_every_shared_handle_at_its_next_operation()
    {
        using var file = new TempFile(4096);
        var client = CreateTestProbe();
        var writer = Open(file.Path, client);
        var reader = Open(file.Path, client, MmapAccess.Read);
        Ask(reader, new Seek(4000), client);

        Ask(writer, new Resize(10000), client);
        Ask(writer, new WriteAt(9990, "tail"u8.ToArray()), client);

        Assert.Equal(10000, ((NumberReply)Ask(reader, Length.Instance, client)).Value);
        Assert.Equal("tail"u8.ToArray(), ((BytesReply)Ask(reader, new ReadAt(9990, 4), client)).Data);
        Assert.Equal(4000, ((NumberReply)Ask(reader, Tell.Instance, client)).Value);
        Assert.Equal(10000, new FileInfo(file.Path).Length);

        Ask(writer, new Resize(100), client);
        Assert.Equal(100, ((NumberReply)Ask(reader, Length.Instance, client)).Value);
        var error = (MmapError)Ask(reader, ReadByte.Instance, client); // cursor 4000 is now past the end
        Assert.Equal("read byte out of range", error.Message);
    }

    [Fact]
    public void Handles_keep_their_own_access_mode_and_copy_on_write_handles_their_own_pages()
    {
        using var file = new TempFile(new byte[4096]);
        var client = CreateTestProbe();
        var reader = Open(file.Path, client, MmapAccess.Read);
        var copyA = Open(file.Path, client, MmapAccess.Copy);
        var copyB = Open(file.Path, client, MmapAccess.Copy);

        var refused = (MmapError)Ask(reader, new WriteAt(0, [1]), client);
        Assert.Equal(MmapErrorKind.TypeError, refused.Kind);
        Ask(copyA, new WriteAt(0, [0xAA]), client);

        Assert.Equal(new byte[] { 0 }, ((BytesReply)Ask(copyB, new ReadAt(0, 1), client)).Data);
        Assert.Equal(new byte[] { 0 }, ((BytesReply)Ask(reader, new ReadAt(0, 1), client)).Data);
        Assert.Equal(new byte[] { 0xAA }, ((BytesReply)Ask(copyA, new ReadAt(0, 1), client)).Data);
        Assert.Equal(0, file.ReadAll()[0]);
    }

    [Fact]
    public void Operations_on_a_closed_or_unknown_handle_reply_as_a_closed_Python_map()
    {
        using var file = new TempFile(4096);
        var client = CreateTestProbe();
        var handle = Open(file.Path, client);
        Ask(handle, Close.Instance, client);

        Assert.IsType<Done>(Ask(handle, Close.Instance, client));
        Assert.True(((BooleanReply)Ask(handle, IsClosed.Instance, client)).Value);
        Assert.Equal("<mmap.mmap closed=True>", ((TextReply)Ask(handle, Repr.Instance, client)).Value);
        var error = (MmapError)Ask(handle with { HandleId = 999 }, new ReadAt(0, 1), client);
        Assert.Equal("mmap closed or invalid", error.Message);
    }

    [Fact]
    public void A_leased_handle_refuses_close_and_resize_with_BufferError_until_released()
    {
        using var file = new TempFile(4096);
        var client = CreateTestProbe();
        var handle = Open(file.Path, client);
        var lease = (LeaseReply)Ask(handle, AcquireLease.Instance, client);
        Assert.Equal(4096, lease.Bytes);

        Assert.Equal(MmapErrorKind.BufferError, ((MmapError)Ask(handle, Close.Instance, client)).Kind);
        Assert.Equal(MmapErrorKind.BufferError, ((MmapError)Ask(handle, new Resize(10), client)).Kind);
        Ask(handle, ReleaseLease.Instance, client);
        Assert.IsType<Done>(Ask(handle, new Resize(10), client));
    }

    [Fact]
    public void A_batch_checks_an_outside_truncation_once_and_still_refuses_the_lost_pages()
    {
        using var file = new TempFile(3 * 4096, seed: 4);
        var client = CreateTestProbe();
        var handle = Open(file.Path, client);
        using (var other = File.Open(file.Path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite))
        {
            other.SetLength(4096);
        }

        var reply = (BatchReply)Ask(handle, new Batch([new ReadAt(0, 100), new ReadAt(4000, 96), new ReadAt(8192, 10)]), client);

        Assert.Equal(2, reply.FailedIndex);
        Assert.Equal((MmapErrorKind.OSError, 5), (reply.Error!.Kind, reply.Error.Errno));
        Assert.Equal(TempFile.RandomBytes(3 * 4096, seed: 4).AsSpan(4000, 96).ToArray(), ((BytesReply)reply.Results[1]).Data);
    }

    [Fact]
    public void A_resize_inside_a_batch_makes_the_rest_of_the_batch_measure_the_file_again()
    {
        using var file = new TempFile(4096);
        var client = CreateTestProbe();
        var handle = Open(file.Path, client);

        var reply = (BatchReply)Ask(handle, new Batch([new ReadAt(0, 1), new Resize(3 * 4096), new WriteAt(3 * 4096 - 4, "tail"u8.ToArray()),
            new ReadAt(3 * 4096 - 4, 4)]), client);

        Assert.True(reply.Succeeded, reply.Error?.Message);
        Assert.Equal("tail"u8.ToArray(), ((BytesReply)reply.Results[3]).Data);
    }

    [Fact]
    public async Task A_batch_stops_at_the_first_error_and_reports_its_index()
    {
        using var file = new TempFile(100);
        var client = CreateTestProbe();
        var handle = Open(file.Path, client);

        var reply = (BatchReply)Ask(handle, new Batch([
            new WriteAt(0, [1, 2, 3]),
            new CompareAndSwap(0, [9, 9, 9], [4, 4, 4]),
            new WriteAt(10, [5]),
        ]), client);

        Assert.False(reply.Succeeded);
        Assert.Equal(1, reply.FailedIndex);
        Assert.Single(reply.Results);
        Assert.StartsWith("compare-and-swap failed", reply.Error!.Message);
        await using var mmap = MmapClient.Create(Sys);
        await using var view = await mmap.OpenAsync(file.Path);
        Assert.Equal(new byte[] { 1, 2, 3 }, await view.ReadAtAsync(0, 3));
        Assert.Equal(TempFile.RandomBytes(100, seed: 1)[10], await view.GetItemAsync(10));
    }
}
