using System.Buffers.Binary;
using System.Diagnostics;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using MmapActors.Actors;
using MmapActors.Client;
using MmapActors.Owner;
using MmapActors.Protocol;
using MmapActors.Tests.Actors;
using Xunit.Abstractions;

namespace MmapActors.Tests.Owner;

/// <summary>
/// The file's turn (<see cref="FileTurn"/>): in-process callers run short data operations inline while the owner is
/// idle, and every operation on the file still runs whole and one at a time, whoever runs it.
/// </summary>
public sealed class FileTurnTests : TestKit
{
    private readonly ITestOutputHelper _output;

    public FileTurnTests(ITestOutputHelper output)
        : base(Config, output)
    {
        _output = output;
    }

    private const string Config = """
        akka.loglevel = INFO
        mmap {
          enable-test-hooks = on
          restart { min-backoff = 300ms, max-backoff = 1s, max-restarts = 5, within = 1m }
        }
        """;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private IActorRef Supervisor => MmapExtension.Get(Sys).Supervisor;

    private async Task<MapOpened> OpenRawAsync(string path) =>
        await Supervisor.Ask<MapOpened>(new OpenMap(new MapOptions(path), TestActor), Patience);

    // ---------------------------------------------------------------------------------------------------------
    // Serialization: a model of every byte, inline and mailbox callers mixed.
    // ---------------------------------------------------------------------------------------------------------

    private const int Block = 64 * 1024; // a copy long enough for a second thread to overlap it, were it allowed to
    private const int SharedBlocks = 6;     // written whole with one byte value: a read must never see two values
    private const int PairOffset = SharedBlocks * Block; // two blocks written together by one batch, read together
    private const int CountersOffset = PairOffset + 2 * Block;
    private const int Counters = 4;         // incremented by compare-and-swap loops
    private const int RegionsOffset = CountersOffset + Counters * 8;
    private const int RegionSize = 1024;    // one per worker, modelled byte for byte
    private const int Workers = 16;         // half inline-capable (MmapClient), half straight to the mailbox
    private const int OpsPerWorker = 1500;

    [Fact]
    public async Task Inline_and_mailbox_callers_mixed_end_with_exactly_the_modelled_bytes_and_never_see_a_torn_range()
    {
        using var file = new TempFile(new byte[RegionsOffset + Workers * RegionSize]);
        await using var client = MmapClient.Create(Sys);
        var turn = (await OpenRawAsync(file.Path)).Turn!;
        var callers = new ICaller[Workers];
        for (int w = 0; w < Workers; w++)
        {
            callers[w] = w % 2 == 0
                ? new ApiCaller(await client.OpenAsync(file.Path))
                : new MailboxCaller(await OpenRawAsync(file.Path));
        }
        long inlineBefore = turn.InlineRuns;
        var increments = new long[Workers, Counters];
        var torn = new List<string>();

        var models = await Task.WhenAll(Enumerable.Range(0, Workers).Select(w =>
            Task.Run(() => RunWorkerAsync(callers[w], w, increments, torn))));

        Assert.Empty(torn);
        var bytes = file.ReadAll();
        for (int w = 0; w < Workers; w++)
        {
            Assert.True(models[w].AsSpan().SequenceEqual(bytes.AsSpan(RegionsOffset + w * RegionSize, RegionSize)), $"region of worker {w} differs from its model");
        }
        for (int c = 0; c < Counters; c++)
        {
            long expected = Enumerable.Range(0, Workers).Sum(w => increments[w, c]);
            Assert.Equal(expected, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(CountersOffset + c * 8)));
        }
        for (int b = 0; b < SharedBlocks; b++)
        {
            Assert.True(IsUniform(bytes.AsSpan(b * Block, Block)), $"shared block {b} is torn");
        }
        Assert.Equal(bytes[PairOffset], bytes[PairOffset + Block]);
        long inline = turn.InlineRuns - inlineBefore;
        _output.WriteLine($"operations run inline: {inline} (the inline-capable callers made at least {Workers / 2 * OpsPerWorker} calls)");
        Assert.True(inline > 0, "no operation ran inline: the test would not mix anything");
        foreach (var caller in callers)
        {
            await caller.DisposeAsync();
        }
    }

    private static async Task<byte[]> RunWorkerAsync(ICaller caller, int worker, long[,] increments, List<string> torn)
    {
        var random = new Random(500 + worker);
        var model = new byte[RegionSize];
        long region = RegionsOffset + worker * RegionSize;
        for (int i = 0; i < OpsPerWorker; i++)
        {
            switch (random.Next(6))
            {
                case 0:
                    await caller.WriteAtAsync(random.Next(SharedBlocks) * Block, Filled(Block, (byte)random.Next(256)));
                    break;
                case 1:
                    var block = await caller.ReadAtAsync(random.Next(SharedBlocks) * Block, Block);
                    if (!IsUniform(block))
                    {
                        lock (torn) { torn.Add($"worker {worker} read a torn block at step {i}"); }
                    }
                    break;
                case 2:
                    var value = Filled(Block, (byte)random.Next(256));
                    var written = await caller.BatchAsync([new WriteAt(PairOffset, value), new WriteAt(PairOffset + Block, value)]);
                    Assert.Null(written.Error);
                    break;
                case 3:
                    var pair = await caller.BatchAsync([new ReadAt(PairOffset, Block), new ReadAt(PairOffset + Block, Block)]);
                    var first = ((BytesReply)pair.Results[0]).Data;
                    var second = ((BytesReply)pair.Results[1]).Data;
                    if (!IsUniform(first) || !first.AsSpan().SequenceEqual(second))
                    {
                        lock (torn) { torn.Add($"worker {worker} read a pair written by two batches at step {i}"); }
                    }
                    break;
                case 4:
                    int counter = random.Next(Counters);
                    long at = CountersOffset + counter * 8;
                    while (true)
                    {
                        var current = await caller.ReadAtAsync(at, 8);
                        var next = new byte[8];
                        BinaryPrimitives.WriteInt64LittleEndian(next, BinaryPrimitives.ReadInt64LittleEndian(current) + 1);
                        if (await caller.CompareAndSwapAsync(at, current, next))
                        {
                            break;
                        }
                    }
                    increments[worker, counter]++;
                    break;
                default:
                    int offset = random.Next(RegionSize - 64);
                    var data = new byte[1 + random.Next(64)];
                    random.NextBytes(data);
                    await caller.WriteAtAsync(region + offset, data);
                    data.CopyTo(model.AsSpan(offset));
                    if (random.Next(4) == 0)
                    {
                        Assert.Equal(model, await caller.ReadAtAsync(region, RegionSize));
                    }
                    break;
            }
        }
        return model;
    }

    private static byte[] Filled(int length, byte value)
    {
        var bytes = new byte[length];
        bytes.AsSpan().Fill(value);
        return bytes;
    }

    private static bool IsUniform(ReadOnlySpan<byte> bytes) => bytes.IndexOfAnyExcept(bytes[0]) < 0;

    /// <summary>One worker's way to the file: the client API (inline when it can) or requests to the owner's mailbox.</summary>
    private interface ICaller : IAsyncDisposable
    {
        Task<byte[]> ReadAtAsync(long offset, int count);

        Task WriteAtAsync(long offset, byte[] data);

        Task<bool> CompareAndSwapAsync(long offset, byte[] expected, byte[] replacement);

        Task<BatchReply> BatchAsync(IReadOnlyList<MapOperation> operations);
    }

    private sealed class ApiCaller(IMappedFile file) : ICaller
    {
        public Task<byte[]> ReadAtAsync(long offset, int count) => file.ReadAtAsync(offset, count);

        public Task WriteAtAsync(long offset, byte[] data) => file.WriteAtAsync(offset, data);

        public Task<bool> CompareAndSwapAsync(long offset, byte[] expected, byte[] replacement) => file.CompareAndSwapAsync(offset, expected, replacement);

        public Task<BatchReply> BatchAsync(IReadOnlyList<MapOperation> operations) => file.BatchAsync(operations);

        public ValueTask DisposeAsync() => file.DisposeAsync();
    }

    private sealed class MailboxCaller(MapOpened opened) : ICaller
    {
        private async Task<MapReply> SendAsync(MapOperation operation)
        {
            var reply = await opened.Owner.Ask<MapReply>(new MapRequest(opened.HandleId, operation), Patience);
            return reply is MmapError error ? throw error.ToException() : reply;
        }

        public async Task<byte[]> ReadAtAsync(long offset, int count) => ((BytesReply)await SendAsync(new ReadAt(offset, count))).Data;

        public Task WriteAtAsync(long offset, byte[] data) => SendAsync(new WriteAt(offset, data));

        public async Task<bool> CompareAndSwapAsync(long offset, byte[] expected, byte[] replacement)
        {
            var reply = await BatchAsync([new CompareAndSwap(offset, expected, replacement)]);
            return reply.Error is null || (reply.Error.Code == MmapErrorCode.CompareAndSwapFailed ? false : throw reply.Error.ToException());
        }

        public async Task<BatchReply> BatchAsync(IReadOnlyList<MapOperation> operations) => (BatchReply)await SendAsync(new Batch(operations));

        public async ValueTask DisposeAsync() => await SendAsync(Close.Instance);
    }

    // ---------------------------------------------------------------------------------------------------------
    // A caller's own order.
    // ---------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task An_inline_call_never_overtakes_a_request_of_the_same_handle_still_in_the_mailbox()
    {
        using var file = new TempFile(new byte[8192]);
        var (shared, id, turn, owner, handle) = OwnedByProbe(file, Patience);
        try
        {
            // Another caller holds the turn, so the handle's first write goes to the mailbox...
            using var gate = new GatedMemory(16);
            var holder = Task.Run(() => turn.TryRun(id, new ReadAtInto(0, gate.Memory), out _));
            Assert.True(gate.Entered.Wait(Patience));
            var first = handle.WriteAtAsync(0, "first!"u8.ToArray());
            var firstRequest = owner.ExpectMsg<MapRequest>();
            var firstSender = owner.LastSender;
            gate.Release();
            Assert.True(await holder);

            // ...and the second, although the turn is free now, must not run before it.
            var second = handle.WriteAtAsync(0, "second"u8.ToArray());
            var secondRequest = owner.ExpectMsg<MapRequest>();
            var secondSender = owner.LastSender;
            Assert.Equal(new byte[6], file.ReadAll()[..6]);

            firstSender.Tell(RunAsOwner(turn, shared, firstRequest));
            secondSender.Tell(RunAsOwner(turn, shared, secondRequest));
            await first;
            await second;
            Assert.Equal("second"u8.ToArray(), file.ReadAll()[..6]);

            // Nothing of the handle's is in flight any more: once the few calls that follow a contended turn have gone
            // to the mailbox, the next one runs inline.
            long before = turn.InlineRuns;
            int sentToMailbox = 0;
            while (turn.InlineRuns == before)
            {
                var call = handle.WriteAtAsync(0, "third!"u8.ToArray());
                if (!call.IsCompleted)
                {
                    var request = owner.ExpectMsg<MapRequest>();
                    owner.LastSender.Tell(RunAsOwner(turn, shared, request));
                    sentToMailbox++;
                }
                await call;
                Assert.InRange(sentToMailbox, 0, MappedFile.MailboxStreakAfterContention);
            }
            owner.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
            Assert.Equal("third!"u8.ToArray(), file.ReadAll()[..6]);
        }
        finally
        {
            shared.CloseAll();
        }
    }

    [Fact]
    public async Task A_handle_whose_request_was_abandoned_in_the_mailbox_keeps_to_the_mailbox()
    {
        using var file = new TempFile(new byte[8192]);
        var (shared, id, turn, owner, handle) = OwnedByProbe(file, TimeSpan.FromMilliseconds(200));
        try
        {
            using var gate = new GatedMemory(16);
            var holder = Task.Run(() => turn.TryRun(id, new ReadAtInto(0, gate.Memory), out _));
            Assert.True(gate.Entered.Wait(Patience));
            var abandoned = handle.WriteAtAsync(0, "late"u8.ToArray());
            owner.ExpectMsg<MapRequest>(); // the owner is slow: it never answers in time
            gate.Release();
            Assert.True(await holder);
            await Assert.ThrowsAsync<MmapTimeoutException>(() => abandoned);

            // The request may still be waiting in a real owner's mailbox: a later call must queue behind it.
            var next = handle.WriteAtAsync(0, "next"u8.ToArray());
            Assert.IsType<WriteAt>(owner.ExpectMsg<MapRequest>().Operation);
            await Assert.ThrowsAsync<MmapTimeoutException>(() => next);
        }
        finally
        {
            shared.CloseAll();
        }
    }

    /// <summary>A write handle on <paramref name="file"/> whose owner is a probe (it receives what the handle sends, and
    /// answers when told, with <see cref="RunAsOwner"/>), sharing the file's turn; the test closes <c>Shared</c>.</summary>
    private ProbeOwned OwnedByProbe(TempFile file, TimeSpan timeout)
    {
        var shared = new SharedFile(file.Path, file.Path, null, OwnerTestSettings.Default, new ResourceBudget(OwnerTestSettings.Default));
        long id = shared.Open(new MapOptions(file.Path), "client").Id;
        var turn = new FileTurn(shared);
        var owner = CreateTestProbe();
        var handle = new MappedFile(new MapOpened(owner.Ref, id, file.Path, MmapAccess.Write) { Turn = turn }, timeout,
            new TaskCompletionSource().Task);
        return new ProbeOwned(shared, id, turn, owner, handle);
    }

    private sealed record ProbeOwned(SharedFile Shared, long Id, FileTurn Turn, TestProbe Owner, MappedFile Handle);

    /// <summary>What the owner actor does with a request: run it holding the turn.</summary>
    private static MapReply RunAsOwner(FileTurn turn, SharedFile shared, MapRequest request)
    {
        Assert.Null(turn.Enter());
        try
        {
            return shared.Execute(request.HandleId, request.Operation);
        }
        finally
        {
            turn.Exit();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // What the owner keeps to itself.
    // ---------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task A_blocking_operation_excludes_inline_calls_until_it_is_done()
    {
        using var file = new TempFile(64 * 1024, seed: 5);
        await using var client = MmapClient.Create(Sys);
        await using var handle = await client.OpenAsync(file.Path);
        var blocker = await OpenRawAsync(file.Path);
        var other = await OpenRawAsync(file.Path);
        var turn = blocker.Turn!;
        await AwaitAssertAsync(() => Assert.True(turn.TryRun(other.HandleId, new ReadAt(0, 16), out _)), Patience);

        // More than MapOperation.BlockingBytes: the owner runs it off its hot path, and the gate holds it there.
        using var gate = new GatedMemory((int)MapOperation.BlockingBytes + 1);
        var blocked = blocker.Owner.Ask<MapReply>(new MapRequest(blocker.HandleId, new ReadAtInto(0, gate.Memory)), Patience);
        Assert.True(gate.Entered.Wait(Patience));

        long inlineBefore = turn.InlineRuns;
        // For as long as it runs (here: 300 ms, well past the owner's return from the message that started it)...
        var watch = Stopwatch.StartNew();
        while (watch.ElapsedMilliseconds < 300)
        {
            Assert.False(turn.TryRun(other.HandleId, new ReadAt(0, 16), out _), $"ran inline {watch.ElapsedMilliseconds} ms into a blocking operation");
            Thread.Sleep(1);
        }
        var read = handle.ReadAtAsync(0, 16); // ...a client's call waits in the owner's stash, not inline
        Assert.False(read.IsCompleted);
        Assert.Equal(inlineBefore, turn.InlineRuns);

        gate.Release();
        Assert.IsType<NumberReply>(await blocked);
        Assert.Equal(file.ReadAll()[..16], await read);
        Assert.Equal(file.ReadAll(), gate.Array[..(64 * 1024)]);
        await AwaitAssertAsync(() => Assert.True(turn.TryRun(other.HandleId, new ReadAt(0, 16), out _)), Patience);
    }

    [Fact]
    public async Task Positional_reads_share_the_turn_while_writes_and_the_owner_wait_for_the_last_reader()
    {
        using var file = new TempFile(64 * 1024, seed: 10);
        var expected = file.ReadAll();
        var reader = await OpenRawAsync(file.Path);
        var other = await OpenRawAsync(file.Path);
        var turn = reader.Turn!;
        await AwaitAssertAsync(() => Assert.True(turn.TryRun(other.HandleId, new ReadAt(0, 16), out _)), Patience);

        // One inline read stopped in the middle of its copy holds the turn...
        using var gate = new GatedMemory(4096);
        MapReply gatedReply = null!;
        var gated = Task.Factory.StartNew(() => turn.TryRun(reader.HandleId, new ReadAtInto(4096, gate.Memory), out gatedReply),
            TaskCreationOptions.LongRunning);
        Assert.True(gate.Entered.Wait(Patience));

        // ...and other positional reads run beside it, on another handle too...
        Assert.True(turn.TryRun(other.HandleId, new ReadAt(100, 16), out var shared));
        Assert.Equal(expected.AsSpan(100, 16).ToArray(), Assert.IsType<BytesReply>(shared).Data);
        var into = new byte[16];
        Assert.True(turn.TryRun(reader.HandleId, new ReadAtInto(200, into), out _));
        Assert.Equal(expected.AsSpan(200, 16).ToArray(), into);

        // ...but no write, no cursor operation, and not the owner (a mailbox request waits for the last reader).
        Assert.False(turn.TryRun(other.HandleId, new WriteAt(0, new byte[16]), out _));
        Assert.False(turn.TryRun(other.HandleId, new Read(16), out _));
        other.Owner.Tell(new MapRequest(other.HandleId, new WriteAt(4096, new byte[] { 7 })), TestActor);
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300)); // the owner does not run it while a reader holds the turn

        gate.Release();
        Assert.True(await gated);
        Assert.Equal(4096, Assert.IsType<NumberReply>(gatedReply).Value);
        Assert.Equal(expected.AsSpan(4096, 4096).ToArray(), gate.Array); // the old byte: the write came after the read
        await ExpectMsgAsync<Done>(Patience);
        Assert.Equal(7, file.ReadAll()[4096]);
    }

    [Fact]
    public async Task A_caller_looping_on_inline_calls_sends_the_call_after_every_64_through_the_mailbox_to_give_its_thread_back()
    {
        using var file = new TempFile(64 * 1024, seed: 11);
        await using var client = MmapClient.Create(Sys);
        await using var handle = await client.OpenAsync(file.Path);
        var turn = (await OpenRawAsync(file.Path)).Turn!;

        const int Calls = 64 * 20;
        long before = turn.InlineRuns;
        for (int i = 0; i < Calls; i++)
        {
            await handle.ReadAtAsync(i % 16 * 4096, 16);
        }
        long inline = turn.InlineRuns - before;
        _output.WriteLine($"{inline} of {Calls} calls ran inline");
        // A loop whose every await completes synchronously never gives its thread back to the pool; the mailbox call
        // does (its continuation is scheduled). One call after every 64 inline ones goes there; nearly all the rest run inline.
        Assert.True(inline <= Calls - Calls / (MappedFile.InlineRunsBeforeMailbox + 1), $"{inline} of {Calls} calls ran inline: none gave the thread back");
        Assert.True(inline >= Calls / 2, $"only {inline} of {Calls} calls ran inline: the test proves nothing");
    }

    [Fact]
    public async Task Operations_that_open_close_resize_flush_advise_lease_or_may_block_never_run_inline()
    {
        using var file = new TempFile(64 * 1024, seed: 6);
        var opened = await OpenRawAsync(file.Path);
        var turn = opened.Turn!;
        await AwaitAssertAsync(() => Assert.True(turn.TryRun(opened.HandleId, new ReadAt(0, 16), out _)), Patience);
        MapOperation[] ownerOnly =
        [
            new Resize(4096), new Flush(), new Madvise(MadviseOption.WillNeed), Close.Instance, AcquireLease.Instance,
            ReleaseLease.Instance, new ReadAt(0, (int)MapOperation.BlockingBytes + 1), new Batch([new ReadAt(0, 1), Close.Instance]),
            new Batch([new Batch([])]),
        ];
        foreach (var operation in ownerOnly)
        {
            long before = turn.InlineRuns;
            Assert.False(turn.TryRun(opened.HandleId, operation, out _), operation.GetType().Name);
            Assert.Equal(before, turn.InlineRuns);
        }
        Assert.Equal(64 * 1024, new FileInfo(file.Path).Length); // the resize did not run
        Assert.True(turn.TryRun(opened.HandleId, Tell.Instance, out var reply)); // the handle is still open
        Assert.IsType<NumberReply>(reply);
    }

    [Fact]
    public async Task An_owner_that_is_restarting_or_stopped_refuses_the_turn()
    {
        using var file = new TempFile(8192, seed: 7);
        var opened = await OpenRawAsync(file.Path);
        var turn = opened.Turn!;
        var read = new ReadAt(0, 16);
        await AwaitAssertAsync(() => Assert.True(turn.TryRun(opened.HandleId, read, out _)), Patience);

        await EventFilter.Warning(contains: "restarted").ExpectOneAsync(async () =>
        {
            opened.Owner.Tell(new InjectFault("test"));
            await Task.Yield();
        });
        // Logged as the new instance starts its back-off (300 ms here): the turn is the owner's until it re-opened.
        Assert.False(turn.TryRun(opened.HandleId, read, out _));
        await AwaitAssertAsync(() => Assert.True(turn.TryRun(opened.HandleId, read, out _)), Patience);

        Watch(opened.Owner);
        opened.Owner.Tell(PoisonPill.Instance);
        ExpectTerminated(opened.Owner);
        Assert.True(turn.IsStopped);
        Assert.False(turn.TryRun(opened.HandleId, read, out _));
    }

    [Fact]
    public async Task A_bug_in_an_inline_operation_restarts_the_owner_and_its_caller_gets_OwnerRestarted()
    {
        using var file = new TempFile(8192, seed: 8);
        await using var client = MmapClient.Create(Sys);
        await using var handle = await client.OpenAsync(file.Path);
        await handle.SeekAsync(11);
        var opened = await OpenRawAsync(file.Path);
        var turn = opened.Turn!;
        using var failing = new GatedMemory(16, fail: true);
        MapReply reply = null!;

        await EventFilter.Warning(contains: "restarted").ExpectOneAsync(async () =>
        {
            await AwaitAssertAsync(() => Assert.True(turn.TryRun(opened.HandleId, new ReadAtInto(0, failing.Memory), out reply)), Patience);
            // Until the owner has restarted and re-opened, nobody runs inline.
            Assert.False(turn.TryRun(opened.HandleId, new ReadAt(0, 16), out _));
        });

        Assert.Equal(MmapErrorCode.OwnerRestarted, Assert.IsType<MmapError>(reply).Code);
        Assert.Equal(11, await handle.TellAsync()); // the file and its cursors survived the restart
        Assert.Equal(file.ReadAll()[..16], await handle.ReadAtAsync(0, 16));
        await AwaitAssertAsync(() => Assert.True(turn.TryRun(opened.HandleId, new ReadAt(0, 16), out _)), Patience);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Fairness.
    // ---------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Mailbox_requests_are_not_starved_by_sixteen_inline_callers()
    {
        using var file = new TempFile(4 << 20, seed: 9);
        var expected = file.ReadAll();
        var mailbox = await OpenRawAsync(file.Path);
        var turn = mailbox.Turn!;
        var inlineHandles = new long[16];
        for (int i = 0; i < inlineHandles.Length; i++)
        {
            inlineHandles[i] = (await OpenRawAsync(file.Path)).HandleId;
        }
        using var stop = new CancellationTokenSource();
        long inlineRuns = 0;
        var threads = inlineHandles.Select(id => new Thread(() =>
        {
            // 1 MiB copies: the turn is busy nearly all the time, and free only between one caller's release and the
            // next caller's take, as tight as callers can loop. Without the owner's flag it would hardly ever win it.
            var operation = new ReadAtInto((id % 4) << 20, new byte[1 << 20]);
            while (!stop.IsCancellationRequested)
            {
                if (turn.TryRun(id, operation, out _))
                {
                    Interlocked.Increment(ref inlineRuns);
                }
            }
        }) { IsBackground = true }).ToList();
        threads.ForEach(t => t.Start());
        try
        {
            var longest = TimeSpan.Zero;
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < 50; i++)
            {
                var started = clock.Elapsed;
                var reply = await mailbox.Owner.Ask<MapReply>(new MapRequest(mailbox.HandleId, new ReadAt(i * 4096, 4096)), Patience);
                var took = clock.Elapsed - started;
                longest = took > longest ? took : longest;
                Assert.Equal(expected.AsSpan(i * 4096, 4096).ToArray(), Assert.IsType<BytesReply>(reply).Data);
            }
            _output.WriteLine($"50 mailbox reads took {clock.Elapsed.TotalMilliseconds:F0} ms (longest {longest.TotalMilliseconds:F0} ms) beside {Interlocked.Read(ref inlineRuns)} inline 1 MiB reads");
            Assert.True(Interlocked.Read(ref inlineRuns) > 50, "the inline callers hardly ran: the test proves nothing");
            Assert.True(longest < TimeSpan.FromSeconds(1), $"a mailbox request waited {longest.TotalMilliseconds:F0} ms for the turn");
        }
        finally
        {
            await stop.CancelAsync();
            threads.ForEach(t => t.Join());
        }
    }
}
