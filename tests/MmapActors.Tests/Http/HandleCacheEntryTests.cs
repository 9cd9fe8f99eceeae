using MmapActors.Native;
using MmapActors.Remote.Http;

namespace MmapActors.Tests.Http;

/// <summary>A cached entry's count of users (a compare-and-swap on one word): whatever the interleaving of requests and
/// the retiring sweeper, the entry is closed exactly once, after its last user, and never entered once retired.</summary>
public sealed class HandleCacheEntryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mmap-entry-").FullName;
    private readonly ServedRoot _served;

    public HandleCacheEntryTests()
    {
        File.WriteAllBytes(Path.Combine(_root, "data.bin"), new byte[16]);
        _served = ServedRoot.Open(_root, readOnly: true);
    }

    public void Dispose()
    {
        _served.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Four_threads_entering_and_leaving_while_the_entry_is_retired_close_it_exactly_once_after_its_last_user()
    {
        for (int trial = 0; trial < 200; trial++)
        {
            using var file = _served.OpenFile("data.bin", writable: false);
            var entry = new HandleCache.Entry(file, default(FileIdentity), long.MaxValue);
            int closes = 0, inside = 0, enteredAfterRetire = 0;
            bool retired = false;
            using var start = new Barrier(5);
            var users = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            {
                start.SignalAndWait();
                for (int i = 0; i < 500; i++)
                {
                    if (!entry.TryEnter())
                    {
                        continue;
                    }
                    if (Volatile.Read(ref retired) && entry.IsRetired && Volatile.Read(ref closes) > 0)
                    {
                        Interlocked.Increment(ref enteredAfterRetire);
                    }
                    Interlocked.Increment(ref inside);
                    Assert.Equal(0, entry.IdleFor(Environment.TickCount64 + 1_000_000)); // in use: never idle
                    Interlocked.Decrement(ref inside);
                    if (entry.Exit())
                    {
                        Assert.Equal(0, Volatile.Read(ref inside));
                        Interlocked.Increment(ref closes);
                    }
                }
            })).ToArray();
            start.SignalAndWait();
            Thread.SpinWait(Random.Shared.Next(0, 20_000));
            if (entry.Retire())
            {
                Interlocked.Increment(ref closes);
            }
            Volatile.Write(ref retired, true);
            await Task.WhenAll(users);

            Assert.Equal(1, closes);
            Assert.Equal(0, enteredAfterRetire);
            Assert.False(entry.TryEnter());
            Assert.False(entry.Retire());
        }
    }
}
