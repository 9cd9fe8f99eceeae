using System.Buffers.Binary;
using MmapActors.Cluster;
using MmapActors.Protocol;

namespace MmapActors.Tests.Cluster;

/// <summary>Sharded owners: one owner per file in the whole cluster, whichever node a worker talks to.</summary>
[Trait("Category", "Cluster")]
public sealed class ClusterOwnershipTests
{
    private const int Files = 4, WorkersPerNode = 16, Rounds = 10, SlotBase = 64;

    [Fact]
    public async Task Sixteen_workers_on_each_of_three_nodes_see_one_owner_per_file_and_lose_no_update()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        int workers = cluster.Nodes.Count * WorkersPerNode;
        int length = SlotBase + workers * 8;
        var names = Enumerable.Range(0, Files).Select(f => $"shared-{f}.bin").ToArray();
        foreach (string name in names)
        {
            await File.WriteAllBytesAsync(Path.Combine(cluster.Root, name), new byte[length]);
        }
        var clients = cluster.Nodes.Select(n => MmapClient.Create(n, MmapCluster.Get(n).Router)).ToArray();
        try
        {
            // Every worker opens every file through its own node's router.
            var handles = await Task.WhenAll(Enumerable.Range(0, workers).Select(async w =>
                await Task.WhenAll(names.Select(name => clients[w / WorkersPerNode].OpenAsync(name)))));

            await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
            {
                for (int round = 1; round <= Rounds; round++)
                {
                    foreach (var file in handles[w])
                    {
                        await IncrementAndStampAsync(file, w, round);
                    }
                }
            })));

            // While the handles are open: each file's owner runs on exactly one member, and every member names that one.
            var entities = await cluster.EntitiesByNodeAsync();
            foreach (string name in names)
            {
                var owners = entities.Where(e => e.Value.Contains(name)).Select(e => e.Key).ToList();
                Assert.True(owners.Count == 1, $"{name} has {owners.Count} owners: {string.Join(", ", owners)}");
                foreach (var node in cluster.Nodes)
                {
                    Assert.Equal(owners[0], await MmapCluster.Get(node).OwnerOfAsync(name));
                }
            }
            Assert.True(entities.Count(e => e.Value.Count > 0) > 1, "every file landed on one member: the test proves too little");

            foreach (var file in handles.SelectMany(h => h))
            {
                await file.DisposeAsync();
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }

        // The model: the counter saw every increment; each worker's slot holds its last round; nothing else changed.
        var expected = new byte[length];
        BinaryPrimitives.WriteInt64LittleEndian(expected, (long)workers * Rounds);
        for (int w = 0; w < workers; w++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(expected.AsSpan(SlotBase + w * 8), Rounds);
        }
        foreach (string name in names)
        {
            Assert.Equal(expected, await File.ReadAllBytesAsync(Path.Combine(cluster.Root, name)));
        }
    }

    /// <summary>A lock-free read-modify-write in one turn of the owner: the counter moves by one only if no other
    /// worker moved it since it was read, together with the worker's stamp.</summary>
    internal static async Task IncrementAndStampAsync(IMappedFile file, int worker, long stamp)
    {
        while (true)
        {
            byte[] current = await file.ReadAtAsync(0, 8);
            var next = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(next, BinaryPrimitives.ReadInt64LittleEndian(current) + 1);
            var stampBytes = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(stampBytes, stamp);
            var reply = await file.BatchAsync([new CompareAndSwap(0, current, next), new WriteAt(SlotBase + worker * 8L, stampBytes)]);
            if (reply.Succeeded)
            {
                return;
            }
            if (reply.Error!.Code != MmapErrorCode.CompareAndSwapFailed)
            {
                throw reply.Error.ToException();
            }
        }
    }
}
