using Microsoft.Win32.SafeHandles;
using Xunit.Abstractions;

namespace MmapActors.Tests.Faults;

/// <summary>
/// A file truncated (4 KiB &lt;-&gt; 64 MiB) in a tight loop while 16 threads read and write it through their own
/// <see cref="MemoryMap"/>s: every access races the truncation, and before the SIGBUS guard this test host died in the
/// first trial (AccessViolationException from SIGBUS in MemoryMap.CopyOut). Surviving is the first assertion; the
/// second is that every failure is typed (OSError errno 5) and the third that the race was really run.
/// </summary>
[Collection(NonParallelCollection.Name)]
public sealed class LocalTruncationRaceTests(ITestOutputHelper output) : IDisposable
{
    internal const long Large = 64L << 20;
    internal const long Small = 4096;
    internal const int Workers = 16;
    internal static readonly TimeSpan TrialLength = TimeSpan.FromSeconds(2);

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("mmap-race-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Sixteen_threads_racing_a_truncation_loop_get_typed_EIO_and_the_process_lives(int trial)
    {
        string path = Path.Combine(_directory.FullName, $"race-{trial}.bin");
        using (var create = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite))
        {
            RandomAccess.SetLength(create, Large);
        }
        var maps = Enumerable.Range(0, Workers).Select(_ => MemoryMap.Open(path)).ToArray();
        try
        {
            var tally = new RaceTally();
            using var stop = new CancellationTokenSource();
            var workers = maps.Select((map, i) => Task.Factory.StartNew(
                () => Work(map, i, tally, stop.Token), TaskCreationOptions.LongRunning)).ToArray();
            long truncations;
            using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite))
            {
                truncations = await Task.Factory.StartNew(() => TruncateInALoop(handle, stop), TaskCreationOptions.LongRunning);
            }
            await Task.WhenAll(workers);

            output.WriteLine($"trial {trial}: {truncations} truncations, {tally}");
            Assert.Empty(tally.Unexpected);
            Assert.True(tally.Failed > 0, $"no access hit a truncated page, so the race was not exercised: {tally}");
            Assert.True(tally.Succeeded > 0, $"no access succeeded: {tally}");
        }
        finally
        {
            foreach (var map in maps)
            {
                map.Dispose();
            }
        }
    }

    /// <summary>Flips the file between 4 KiB and 64 MiB until the trial's time is up, then cancels <paramref name="stop"/>.</summary>
    internal static long TruncateInALoop(SafeFileHandle handle, CancellationTokenSource stop)
    {
        long count = 0;
        var end = DateTime.UtcNow + TrialLength;
        while (DateTime.UtcNow < end)
        {
            RandomAccess.SetLength(handle, Small);
            RandomAccess.SetLength(handle, Large);
            count += 2;
        }
        stop.Cancel();
        return count;
    }

    private static void Work(MemoryMap map, int seed, RaceTally tally, CancellationToken stop)
    {
        var random = new Random(seed);
        var page = new byte[4096];
        var chunk = new byte[1 << 20];
        while (!stop.IsCancellationRequested)
        {
            long offset = random.NextInt64(Large / 4096) * 4096;
            try
            {
                switch (random.Next(8))
                {
                    case 0:
                    case 1:
                        map.ReadAt(offset, page);
                        break;
                    case 2:
                    case 3:
                        map.WriteAt(offset, page);
                        break;
                    case 4:
                        map.ReadAt(Math.Min(offset, Large - chunk.Length), chunk);
                        break;
                    case 5:
                        map.Move(random.NextInt64(Large - 65536), Math.Min(offset, Large - 65536), 65536);
                        break;
                    case 6:
                        map.Find("needle"u8, offset, Math.Min(Large, offset + (256 << 10)));
                        break;
                    default:
                        _ = map.GetSlice(offset, Math.Min(Large, offset + 65536), 7);
                        map[offset] = seed;
                        break;
                }
                tally.Success();
            }
            catch (Exception e)
            {
                tally.Failure(e);
            }
        }
    }
}
