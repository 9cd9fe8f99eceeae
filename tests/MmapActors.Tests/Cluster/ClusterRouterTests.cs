using MmapActors.Cluster;

namespace MmapActors.Tests.Cluster;

/// <summary>The router resolves every path beneath the shared root, as a single server does, before any owner sees it.</summary>
[Trait("Category", "Cluster")]
public sealed class ClusterRouterTests
{
    [Fact]
    public async Task Paths_leaving_the_shared_root_and_missing_files_are_refused_with_a_typed_error_and_aliases_share_one_owner()
    {
        await using var cluster = await TestCluster.StartAsync(1);
        var node = cluster.Nodes[0];
        string outside = Path.Combine(Path.GetDirectoryName(cluster.Root)!, $"outside-{Guid.NewGuid():N}.bin");
        await File.WriteAllBytesAsync(outside, new byte[16]);
        Directory.CreateDirectory(Path.Combine(cluster.Root, "dir"));
        await File.WriteAllBytesAsync(Path.Combine(cluster.Root, "dir", "in.bin"), new byte[16]);
        await using var client = MmapClient.Create(node, MmapCluster.Get(node).Router);
        try
        {
            var escape = await Assert.ThrowsAsync<MmapException>(() => client.OpenAsync("../" + Path.GetFileName(outside)));
            Assert.Equal(MmapErrorKind.OSError, escape.Kind);
            Assert.Equal(18, escape.Errno); // EXDEV: resolves outside the root
            var missing = await Assert.ThrowsAsync<MmapException>(() => client.OpenAsync("dir/none.bin"));
            Assert.Equal(2, missing.Errno);
            await Assert.ThrowsAsync<MmapException>(() => MmapCluster.Get(node).OwnerOfAsync("/etc/passwd"));

            // Two spellings of one file are one entity: a write through one is read through the other at once.
            await using var a = await client.OpenAsync("dir/in.bin");
            await using var b = await client.OpenAsync("dir/../dir/./in.bin");
            Assert.Equal(a.Key, b.Key);
            await a.WriteAtAsync(3, new byte[] { 7 });
            Assert.Equal(7, await b.GetItemAsync(3));
            var entities = await cluster.EntitiesByNodeAsync();
            Assert.Equal(["dir/in.bin"], entities.Values.SelectMany(e => e).ToArray());
        }
        finally
        {
            File.Delete(outside);
        }
    }
}
