using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using MmapActors.Cluster;
using Xunit.Abstractions;

namespace MmapActors.Tests.Cluster;

/// <summary>Failover: what workers see and what the file keeps when the node owning it dies or leaves.</summary>
[Trait("Category", "Cluster")]
public sealed class ClusterFailoverTests(ITestOutputHelper output)
{
    private const string FileName = "failover.bin";
    private const int WorkersPerNode = 8, SlotSize = 8;

    /// <summary>The bound the test timings give (TestCluster.FastFailover; docs/cluster.md derives it): detection
    /// (0.5 s + 2 s), the resolver (2 s), the removal margin (0.5 s, config/cluster.hocon), hand-over and re-allocation retries.</summary>
    private static readonly TimeSpan FailoverBound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Killing_the_owning_node_moves_the_owner_within_the_bound_keeps_every_flushed_write_and_workers_carry_on_after_a_typed_error()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        int workers = 2 * WorkersPerNode;
        await File.WriteAllBytesAsync(Path.Combine(cluster.Root, FileName), new byte[workers * SlotSize]);
        var owner = await MmapCluster.Get(cluster.Nodes[0]).OwnerOfAsync(FileName);
        var victim = cluster.NodeAt(owner);
        var survivors = cluster.Nodes.Where(n => n != victim).ToArray();
        var clients = survivors.Select(n => MmapClient.Create(n, MmapCluster.Get(n).Router)).ToArray();
        var handles = await Task.WhenAll(Enumerable.Range(0, workers).Select(w => clients[w / WorkersPerNode].OpenAsync(FileName)));

        var lastAcked = new long[workers];    // the last write acknowledged to each worker
        var lastFlushed = new long[workers];  // the last write acknowledged before a Flush reply
        var errors = new ConcurrentQueue<MmapException>();
        var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        long writesAfterKill = 0;
        const int WritesAfterRecovery = 20;

        var workerTasks = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var file = handles[w];
            long seq = 0, recoveredWrites = 0;
            while (recoveredWrites < WritesAfterRecovery)
            {
                long next = seq + 1;
                try
                {
                    await file.WriteAtAsync(w * SlotSize, Bytes(next));
                    seq = next;
                    lastAcked[w] = seq;
                    if (seq % 4 == 0)
                    {
                        await file.FlushAsync();
                        lastFlushed[w] = seq;
                    }
                }
                catch (MmapException e) when (e.Code == MmapErrorCode.OwnerMoved)
                {
                    errors.Enqueue(e); // typed and retryable: the next call re-opens on the new owner
                    continue;
                }
                if (killed.Task.IsCompleted)
                {
                    recoveredWrites++;
                    Interlocked.Increment(ref writesAfterKill);
                }
                else if (seq > 50)
                {
                    await Task.Delay(1); // enough progress before the kill: keep writing, gently
                }
            }
        })).ToArray();

        // Let every worker get some writes flushed, then kill the owning node without leaving.
        await AwaitConditionAsync(() => lastFlushed.All(s => s >= 8), TimeSpan.FromSeconds(30), "workers flushing before the kill");
        var flushedBeforeKill = (long[])lastFlushed.Clone();
        var stopwatch = Stopwatch.StartNew();
        await TestCluster.AbortAsync(victim);
        killed.SetResult();

        // Every write acknowledged before a Flush reply is in the file (a later one may have overwritten it).
        var afterKill = await File.ReadAllBytesAsync(Path.Combine(cluster.Root, FileName));
        for (int w = 0; w < workers; w++)
        {
            long value = BinaryPrimitives.ReadInt64LittleEndian(afterKill.AsSpan(w * SlotSize));
            Assert.True(value >= flushedBeforeKill[w], $"worker {w}: the file holds {value}, below the flushed {flushedBeforeKill[w]}");
        }

        // Ownership moves to a survivor within the bound, and every worker carries on.
        Address? newOwner = null;
        await AwaitConditionAsync(async () =>
        {
            newOwner = await MmapCluster.Get(survivors[0]).OwnerOfAsync(FileName);
            return newOwner != owner;
        }, FailoverBound, "the owner moving to a survivor");
        var moved = stopwatch.Elapsed;
        await Task.WhenAll(workerTasks).WaitAsync(FailoverBound + TimeSpan.FromSeconds(30));
        output.WriteLine($"owner moved {moved.TotalSeconds:0.0} s after the kill; {errors.Count} typed errors seen by {workers} workers");
        Assert.Contains(newOwner!, survivors.Select(n => MmapCluster.Get(n).SelfAddress));
        Assert.True(moved < FailoverBound, $"the owner moved after {moved}");
        Assert.Equal(workers * WritesAfterRecovery, Interlocked.Read(ref writesAfterKill));
        Assert.NotEmpty(errors); // the writes in flight when the node died
        Assert.All(errors, e => Assert.Contains("Stale file handle", e.Message));

        // After the failover, every acknowledged write is the one the file holds.
        foreach (var handle in handles)
        {
            await handle.DisposeAsync();
        }
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
        var final = await File.ReadAllBytesAsync(Path.Combine(cluster.Root, FileName));
        for (int w = 0; w < workers; w++)
        {
            Assert.Equal(lastAcked[w], BinaryPrimitives.ReadInt64LittleEndian(final.AsSpan(w * SlotSize)));
        }
    }

    [Fact]
    public async Task A_node_that_leaves_gracefully_hands_its_files_off_and_workers_see_no_error()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        int workers = 2 * WorkersPerNode;
        await File.WriteAllBytesAsync(Path.Combine(cluster.Root, FileName), new byte[64 + workers * SlotSize]);
        var owner = await MmapCluster.Get(cluster.Nodes[0]).OwnerOfAsync(FileName);
        var leaver = cluster.NodeAt(owner);
        var stayers = cluster.Nodes.Where(n => n != leaver).ToArray();
        var clients = stayers.Select(n => MmapClient.Create(n, MmapCluster.Get(n).Router)).ToArray();
        var handles = await Task.WhenAll(Enumerable.Range(0, workers).Select(w => clients[w / WorkersPerNode].OpenAsync(FileName)));
        var left = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var rounds = new long[workers];

        var workerTasks = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            long afterLeave = 0;
            while (afterLeave < 20)
            {
                // Positional operations only: a worker of a handed-off file never notices.
                await ClusterOwnershipTests.IncrementAndStampAsync(handles[w], w, rounds[w] + 1);
                rounds[w]++;
                Assert.Equal(rounds[w], BinaryPrimitives.ReadInt64LittleEndian(await handles[w].ReadAtAsync(64 + w * SlotSize, SlotSize)));
                if (left.Task.IsCompleted)
                {
                    afterLeave++;
                }
            }
        })).ToArray();

        await AwaitConditionAsync(() => rounds.All(r => r >= 5), TimeSpan.FromSeconds(30), "workers running before the leave");
        await CoordinatedShutdown.Get(leaver).Run(CoordinatedShutdown.ClusterLeavingReason.Instance).WaitAsync(TimeSpan.FromSeconds(60));
        left.SetResult();
        await Task.WhenAll(workerTasks).WaitAsync(TimeSpan.FromSeconds(60)); // any error fails the test here

        var newOwner = await MmapCluster.Get(stayers[0]).OwnerOfAsync(FileName);
        Assert.NotEqual(owner, newOwner);
        Assert.True(handles.All(h => h.ToString()!.Contains("re-opened")), "a handle kept its first owner: nothing was handed off");
        foreach (var handle in handles)
        {
            await handle.DisposeAsync();
        }
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
        var final = await File.ReadAllBytesAsync(Path.Combine(cluster.Root, FileName));
        Assert.Equal(rounds.Sum(), BinaryPrimitives.ReadInt64LittleEndian(final));
        for (int w = 0; w < workers; w++)
        {
            Assert.Equal(rounds[w], BinaryPrimitives.ReadInt64LittleEndian(final.AsSpan(64 + w * SlotSize)));
        }
    }

    private static byte[] Bytes(long value)
    {
        var bytes = new byte[SlotSize];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return bytes;
    }

    private static Task AwaitConditionAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        AwaitConditionAsync(() => Task.FromResult(condition()), timeout, what);

    private static async Task AwaitConditionAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no {what} within {timeout}");
            }
            await Task.Delay(50);
        }
    }
}
