using System.Security.Cryptography;
using Akka.TestKit.Xunit2;
using Xunit.Abstractions;

namespace MmapActors.Tests.Actors;

public sealed class RangeTransferTests(ITestOutputHelper output)
    : TestKit("akka.loglevel = WARNING\nmmap.transfer { chunk-size = 64KiB, window = 3 }", output)
{
    [Fact]
    public async Task A_range_streams_out_in_chunks_with_progress_and_is_clamped_at_the_end()
    {
        using var file = new TempFile(1_000_003, seed: 11);
        await using var client = MmapClient.Create(Sys);
        await using var handle = await client.OpenAsync(file.Path);
        var destination = new MemoryStream();
        var reports = new List<long>();

        long n = await handle.ReadRangeAsync(12345, 2_000_000, destination, new SynchronousProgress(reports.Add));

        Assert.Equal(1_000_003 - 12345, n);
        Assert.Equal(file.ReadAll().AsSpan(12345).ToArray(), destination.ToArray());
        Assert.Equal((n + 65535) / 65536, reports.Count);
        Assert.Equal(n, reports[^1]);
    }

    [Fact]
    public async Task A_stream_writes_in_chunks_and_stops_at_the_first_error()
    {
        using var file = new TempFile(new byte[300_000]);
        await using var client = MmapClient.Create(Sys);
        await using var handle = await client.OpenAsync(file.Path);
        var data = RandomNumberGenerator.GetBytes(200_000);

        Assert.Equal(200_000, await handle.WriteRangeAsync(50_000, new MemoryStream(data)));
        Assert.Equal(data, file.ReadAll().AsSpan(50_000, 200_000).ToArray());

        var tooLong = await Assert.ThrowsAsync<MmapException>(() => handle.WriteRangeAsync(250_000, new MemoryStream(data)));
        Assert.Equal("data out of range", tooLong.Message);
    }

    [Fact]
    public async Task A_cancelled_transfer_stops_and_reports_cancellation()
    {
        using var file = new TempFile(2_000_000, seed: 12);
        await using var client = MmapClient.Create(Sys);
        await using var handle = await client.OpenAsync(file.Path);
        using var cancel = new CancellationTokenSource();
        var destination = new MemoryStream();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => handle.ReadRangeAsync(0, 2_000_000, destination,
            new SynchronousProgress(done => { if (done >= 200_000) cancel.Cancel(); }), cancel.Token));

        Assert.InRange(destination.Length, 200_000, 2_000_000 - 1);
    }

    private sealed class SynchronousProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
