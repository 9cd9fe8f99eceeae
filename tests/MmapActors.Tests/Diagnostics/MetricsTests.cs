using System.Diagnostics.Metrics;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using MmapActors.Diagnostics;
using MmapActors.Protocol;
using MmapActors.Tests.Actors;
using Xunit.Abstractions;

namespace MmapActors.Tests.Diagnostics;

/// <summary>
/// The MmapActors meter, observed with a MeterListener. The meter is process-wide, so these tests run alone (after
/// every parallel test) and compare against what the instruments said when each test started.
/// </summary>
[Collection(NonParallelCollection.Name)]
public sealed class MetricsTests(ITestOutputHelper output) : TestKit("akka.loglevel = WARNING\nmmap.idle-timeout = 200ms", output)
{
    private const string Operations = MmapMetrics.OperationsInstrument;
    private const string BytesRead = MmapMetrics.BytesReadInstrument;
    private const string BytesWritten = MmapMetrics.BytesWrittenInstrument;
    private const string Errors = MmapMetrics.ErrorsInstrument;
    private const string Op = MmapMetrics.OperationTag;
    private const string Kind = MmapMetrics.ErrorKindTag;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Reads_and_writes_are_counted_by_operation_type_with_the_bytes_they_moved()
    {
        using var file = new TempFile(4096);
        await using var client = MmapClient.Create(Sys);
        await using var handle = await client.OpenAsync(file.Path);
        using var metrics = new MetricsRecorder();

        for (int i = 0; i < 3; i++)
        {
            await handle.ReadAtAsync(0, 100);
        }
        await handle.ReadAtAsync(4000, new byte[200]); // into caller memory, clamped to the 96 bytes left
        await handle.WriteAtAsync(10, new byte[50]);
        await handle.WriteAtAsync(60, new byte[50]);
        await handle.WriteAsync(new byte[20]);
        await handle.ReadByteAsync();

        Assert.Equal(3, metrics.Sum(Operations, Op, "ReadAt"));
        Assert.Equal(1, metrics.Sum(Operations, Op, "ReadAtInto"));
        Assert.Equal(2, metrics.Sum(Operations, Op, "WriteAt"));
        Assert.Equal(1, metrics.Sum(Operations, Op, "Write"));
        Assert.Equal(1, metrics.Sum(Operations, Op, "ReadByte"));
        Assert.Equal(8, metrics.Sum(Operations));
        Assert.Equal(3 * 100 + 96 + 1, metrics.Sum(BytesRead));
        Assert.Equal(2 * 50 + 20, metrics.Sum(BytesWritten));
        Assert.Equal(0, metrics.Sum(Errors));
    }

    [Fact]
    public async Task Errors_are_counted_by_kind_and_operation_and_count_as_operations_that_moved_nothing()
    {
        using var file = new TempFile(4096);
        await using var client = MmapClient.Create(Sys);
        await using var readOnly = await client.OpenAsync(file.Path, access: MmapAccess.Read);
        using var metrics = new MetricsRecorder();

        await Assert.ThrowsAsync<MmapException>(() => readOnly.WriteAtAsync(0, new byte[] { 1 }));
        await Assert.ThrowsAsync<MmapException>(() => readOnly.SeekAsync(10_000));
        await Assert.ThrowsAsync<MmapException>(() => client.OpenAsync(file.Path + ".missing"));

        Assert.Equal(1, metrics.Sum(Errors, (Kind, "TypeError"), (Op, "WriteAt")));
        Assert.Equal(1, metrics.Sum(Errors, (Kind, "ValueError"), (Op, "Seek")));
        Assert.Equal(1, metrics.Sum(Errors, (Kind, "OSError"), (Op, "OpenMap")));
        Assert.Equal(3, metrics.Sum(Errors));
        Assert.Equal(1, metrics.Sum(Operations, Op, "WriteAt"));
        Assert.Equal(1, metrics.Sum(Operations, Op, "OpenMap"));
        Assert.Equal(0, metrics.Sum(BytesWritten));
    }

    [Fact]
    public async Task A_batch_counts_once_as_Batch_and_each_of_its_operations_under_its_own_type()
    {
        using var file = new TempFile(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 });
        await using var client = MmapClient.Create(Sys);
        await using var handle = await client.OpenAsync(file.Path);
        using var metrics = new MetricsRecorder();

        await handle.BatchAsync([new ReadAt(0, 10), new WriteAt(0, new byte[5])]);
        Assert.True(await handle.CompareAndSwapAsync(10, new byte[] { 11, 12 }, new byte[] { 0, 0 }));

        Assert.Equal(2, metrics.Sum(Operations, Op, "Batch"));
        Assert.Equal(1, metrics.Sum(Operations, Op, "ReadAt"));
        Assert.Equal(1, metrics.Sum(Operations, Op, "WriteAt"));
        Assert.Equal(1, metrics.Sum(Operations, Op, "CompareAndSwap"));
        Assert.Equal(10, metrics.Sum(BytesRead));
        Assert.Equal(5 + 2, metrics.Sum(BytesWritten));
    }

    [Fact]
    public async Task Open_files_and_handles_follow_opens_closes_and_idle_owners()
    {
        using var file = new TempFile(4096);
        await using var client = MmapClient.Create(Sys);
        using var metrics = new MetricsRecorder();
        long files = metrics.Observe(MmapMetrics.OpenFilesInstrument);
        long handles = metrics.Observe(MmapMetrics.OpenHandlesInstrument);

        var first = await client.OpenAsync(file.Path);
        var second = await client.OpenAsync(file.Path);
        var anonymous = await client.CreateAnonymousAsync(4096);
        Assert.Equal(files + 2, metrics.Observe(MmapMetrics.OpenFilesInstrument));
        Assert.Equal(handles + 3, metrics.Observe(MmapMetrics.OpenHandlesInstrument));

        await first.DisposeAsync();
        Assert.Equal(handles + 2, metrics.Observe(MmapMetrics.OpenHandlesInstrument));
        await second.DisposeAsync();
        await anonymous.DisposeAsync();
        Assert.Equal(handles, metrics.Observe(MmapMetrics.OpenHandlesInstrument));
        await AwaitAssertAsync(() => Assert.Equal(files, metrics.Observe(MmapMetrics.OpenFilesInstrument)), Timeout);
    }

    [Fact]
    public async Task A_system_that_shuts_down_with_open_handles_leaves_none_counted()
    {
        using var file = new TempFile(4096);
        using var metrics = new MetricsRecorder();
        long files = metrics.Observe(MmapMetrics.OpenFilesInstrument);
        long handles = metrics.Observe(MmapMetrics.OpenHandlesInstrument);
        var system = ActorSystem.Create("metrics-shutdown", "akka.loglevel = WARNING");
        var client = MmapClient.Create(system);
        await client.OpenAsync(file.Path);
        await client.CreateAnonymousAsync(4096);
        Assert.Equal(handles + 2, metrics.Observe(MmapMetrics.OpenHandlesInstrument));

        await system.Terminate().WaitAsync(Timeout);

        Assert.Equal(handles, metrics.Observe(MmapMetrics.OpenHandlesInstrument));
        Assert.Equal(files, metrics.Observe(MmapMetrics.OpenFilesInstrument));
    }

    [Fact]
    public async Task A_streamed_range_counts_as_an_active_transfer_while_it_runs()
    {
        using var file = new TempFile(300_000);
        await using var client = MmapClient.Create(Sys);
        await using var handle = await client.OpenAsync(file.Path);
        using var metrics = new MetricsRecorder();
        const string active = MmapMetrics.ActiveTransfersInstrument;

        var destination = new GatedStream(new MemoryStream());
        var reading = handle.ReadRangeAsync(0, 300_000, destination);
        await destination.Entered.WaitAsync(Timeout);
        Assert.Equal(1, metrics.Sum(active, MmapMetrics.DirectionTag, "read"));
        destination.Open();
        Assert.Equal(300_000, await reading.WaitAsync(Timeout));
        Assert.Equal(0, metrics.Sum(active, MmapMetrics.DirectionTag, "read"));

        var source = new GatedStream(new MemoryStream(new byte[100_000]));
        var writing = handle.WriteRangeAsync(0, source);
        await source.Entered.WaitAsync(Timeout);
        Assert.Equal(1, metrics.Sum(active, MmapMetrics.DirectionTag, "write"));
        source.Open();
        Assert.Equal(100_000, await writing.WaitAsync(Timeout));
        Assert.Equal(0, metrics.Sum(active));
        Assert.Equal(300_000, metrics.Sum(BytesRead));
        Assert.Equal(100_000, metrics.Sum(BytesWritten));
    }

    [Fact]
    public void Recording_an_operation_allocates_nothing_while_a_listener_listens()
    {
        long total = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == MmapMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref total, value));
        listener.Start();
        var read = new ReadAt(0, 16);
        var bytes = new BytesReply(new byte[16]);
        var write = new WriteAt(0, new byte[16]);
        var error = new MmapError(MmapErrorKind.ValueError, "read position out of range", null);
        void RecordMany()
        {
            for (int i = 0; i < 1000; i++)
            {
                MmapMetrics.RecordOperation(read, bytes);
                MmapMetrics.RecordOperation(write, Done.Instance);
                MmapMetrics.RecordOperation(read, error);
            }
        }
        RecordMany(); // first calls JIT and initialize

        long before = GC.GetAllocatedBytesForCurrentThread();
        RecordMany();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(Interlocked.Read(ref total) > 0);
    }
}
