using System.Diagnostics;
using MmapActors.Cluster;
using Xunit.Abstractions;

namespace MmapActors.Tests.Cluster;

/// <summary>
/// Fencing in a cluster: a member serves a file only while it holds the file's lock. The test stands in for a frozen
/// previous owner by holding the lock itself (an open file description of its own, exactly what a frozen member's
/// process keeps): opens wait for it, are answered with a typed error rather than served, and are served once it is
/// released.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class ClusterFencingTests(ITestOutputHelper output)
{
    private const string FileName = "fenced.bin";

    /// <summary>Opens wait three quarters of this for a previous owner's lock (FileEntity).</summary>
    private const string ShortAsk = "mmap.ask-timeout = 4s";

    [Fact]
    public async Task No_member_serves_a_file_whose_previous_owner_still_holds_its_lock_and_one_serves_it_once_released()
    {
        await using var cluster = await TestCluster.StartAsync(3, ShortAsk);
        var content = Enumerable.Range(0, 4096).Select(i => (byte)i).ToArray();
        await File.WriteAllBytesAsync(Path.Combine(cluster.Root, FileName), content);
        using var root = ServedRoot.Open(cluster.Root, readOnly: false);
        var frozenOwner = OwnerLock.TryTake(root, FileName);
        Assert.NotNull(frozenOwner);
        var node = cluster.Nodes[1];
        var client = MmapClient.Create(node, MmapCluster.Get(node).Router);

        var clock = Stopwatch.StartNew();
        var refused = await Assert.ThrowsAsync<MmapException>(() => client.OpenAsync(FileName));
        output.WriteLine($"refused after {clock.Elapsed.TotalSeconds:0.00} s: {refused.Message}");
        Assert.Equal(MmapErrorCode.PreviousOwnerHoldsFile, refused.Code);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(4)); // it waited, and answered before the ask timed out

        var opening = client.OpenAsync(FileName);
        await Task.Delay(TimeSpan.FromSeconds(1)); // the previous owner stays frozen a while longer
        Assert.False(opening.IsCompleted, "an open was answered while the previous owner held the file");
        frozenOwner.Dispose();
        await using var file = await opening.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(content, await file.ReadAtAsync(0, content.Length));
    }

    [Fact]
    public async Task A_serving_owner_holds_the_files_lock_and_releases_it_once_it_has_stopped()
    {
        await using var cluster = await TestCluster.StartAsync(3, ShortAsk);
        await File.WriteAllBytesAsync(Path.Combine(cluster.Root, FileName), new byte[4096]);
        using var root = ServedRoot.Open(cluster.Root, readOnly: false);
        var node = cluster.Nodes[2];
        var client = MmapClient.Create(node, MmapCluster.Get(node).Router);

        var file = await client.OpenAsync(FileName);
        await file.WriteAtAsync(0, new byte[] { 1, 2, 3 });
        Assert.Null(OwnerLock.TryTake(root, FileName)); // a second owner could not take it now

        await file.DisposeAsync(); // no handle left: the owner passivates after mmap.idle-timeout (1 s) and lets go
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        OwnerLock? next;
        while ((next = OwnerLock.TryTake(root, FileName)) is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the owner kept the file's lock 20 s after its last handle closed");
            await Task.Delay(100);
        }
        next.Dispose();
    }
}
