using System.Buffers.Binary;
using Akka.TestKit.Xunit2;
using MmapActors.Protocol;
using Xunit.Abstractions;

namespace MmapActors.Tests.Actors;

/// <summary>
/// Many workers, one file: every worker has its own handle; the owner serializes everything. The test keeps a model
/// of the bytes every successful operation must have produced and compares the file with it at the end.
/// </summary>
public sealed class ConcurrencyTests(ITestOutputHelper output) : TestKit("akka.loglevel = WARNING", output)
{
    private const int Workers = 64;
    private const int RegionSize = 4096;
    private const int Counters = 8;
    private const int CountersOffset = Workers * RegionSize;
    private const int BaseLength = CountersOffset + Counters * sizeof(long);
    private const int Slack = 64 * 1024;

    private static int OpsPerWorker =>
        int.TryParse(Environment.GetEnvironmentVariable("MMAP_SOAK_OPS"), out int ops) && ops > 0 ? ops : 2000;

    [Fact]
    public async Task Sixty_four_workers_with_mixed_operations_end_with_exactly_the_modelled_bytes()
    {
        using var file = new TempFile(new byte[BaseLength]);
        await using var client = MmapClient.Create(Sys);
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var increments = new long[Workers, Counters];

        var models = await Task.WhenAll(Enumerable.Range(0, Workers).Select(w =>
            Task.Run(() => RunWorkerAsync(client, file.Path, w, increments, deadline.Token))));

        // A final resize through a fresh handle fixes the length every worker's resizes left behind.
        await using (var last = await client.OpenAsync(file.Path))
        {
            await last.ResizeAsync(BaseLength + 12345);
            await last.FlushAsync();
        }

        byte[] bytes = file.ReadAll();
        Assert.Equal(BaseLength + 12345, bytes.Length);
        for (int w = 0; w < Workers; w++)
        {
            Assert.True(models[w].AsSpan().SequenceEqual(bytes.AsSpan(w * RegionSize, RegionSize)), $"region of worker {w} differs from its model");
        }
        for (int c = 0; c < Counters; c++)
        {
            long expected = Enumerable.Range(0, Workers).Sum(w => increments[w, c]);
            Assert.Equal(expected, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(CountersOffset + c * 8)));
        }
        Assert.True(bytes.AsSpan(BaseLength).IndexOfAnyExcept((byte)0) < 0, "bytes past the modelled area must be zero");
        Assert.True(increments.Cast<long>().Sum() > 0);
    }

    private static async Task<byte[]> RunWorkerAsync(MmapClient client, string path, int worker, long[,] increments, CancellationToken ct)
    {
        var random = new Random(1000 + worker);
        var model = new byte[RegionSize];
        long region = (long)worker * RegionSize;
        await using var file = await client.OpenAsync(path, cancellationToken: ct);
        var readBuffer = new byte[RegionSize];

        for (int op = 0; op < OpsPerWorker; op++)
        {
            int kind = random.Next(100);
            if (kind < 40)
            {
                int offset = random.Next(RegionSize - 256);
                var data = new byte[random.Next(1, 257)];
                random.NextBytes(data);
                await file.WriteAtAsync(region + offset, data, ct);
                data.CopyTo(model, offset);
            }
            else if (kind < 60)
            {
                // Read-modify-write of a shared counter: read it, then a batch that swaps it only if nobody changed
                // it meanwhile and, in the same turn, records the increment in the worker's own region.
                int counter = random.Next(Counters);
                long at = CountersOffset + counter * 8L;
                while (true)
                {
                    byte[] current = await file.ReadAtAsync(at, 8, ct);
                    var next = new byte[8];
                    BinaryPrimitives.WriteInt64LittleEndian(next, BinaryPrimitives.ReadInt64LittleEndian(current) + 1);
                    var mark = new[] { (byte)counter, (byte)op };
                    var reply = await file.BatchAsync([new CompareAndSwap(at, current, next), new WriteAt(region + RegionSize - 2, mark)], ct);
                    if (reply.Succeeded)
                    {
                        increments[worker, counter]++;
                        mark.CopyTo(model, RegionSize - 2);
                        break;
                    }
                    Assert.Equal(0, reply.FailedIndex);
                }
            }
            else if (kind < 80)
            {
                int offset = random.Next(RegionSize);
                int count = random.Next(1, RegionSize - offset + 1);
                Assert.Equal(region + offset, await file.SeekAsync(region + offset, cancellationToken: ct));
                byte[] read = await file.ReadAsync(count, ct);
                Assert.True(read.AsSpan().SequenceEqual(model.AsSpan(offset, count)), $"worker {worker} read stale bytes at {offset}");
                Assert.Equal(region + offset + count, await file.TellAsync(ct));
            }
            else if (kind < 90)
            {
                int n = await file.ReadAtAsync(region, readBuffer, ct);
                Assert.Equal(RegionSize, n);
                Assert.True(readBuffer.AsSpan().SequenceEqual(model), $"worker {worker} region differs from its model");
            }
            else if (kind < 96)
            {
                await file.FlushAsync(cancellationToken: ct);
            }
            else
            {
                await file.ResizeAsync(BaseLength + random.Next(Slack), ct);
            }
        }
        return model;
    }
}
