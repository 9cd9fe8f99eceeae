using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using MmapActors.Cluster;
using MmapActors.Remote;

namespace MmapActors.Tests.Cluster;

/// <summary>
/// Three cluster nodes in this process (each a member system and its client door, as <c>mmapctl serve --cluster</c> runs
/// them) over one shared root, and remote clients of their doors: what a door's bridge does with stats, opens and
/// operations on files owned by the other member, and when that member dies.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(NonParallelCollection.Name)]
public sealed class ClusterDoorTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("mmap-cluster-door-").FullName;
    private readonly List<MmapClusterNode> _nodes = new();
    private readonly List<MmapClient> _clients = new();

    public async Task InitializeAsync()
    {
        var config = ConfigurationFactory.ParseString(TestCluster.FastFailover);
        var door = new MmapServerOptions(_root, Port: 0, Config: "akka.loglevel = WARNING");
        _nodes.Add(await MmapClusterNode.StartAsync(new MmapClusterOptions { Root = _root, Port = 0, Config = config }, door));
        // Three members: with two, keep-majority downs the survivor too when the member with the lowest address dies.
        for (int i = 1; i < 3; i++)
        {
            _nodes.Add(await MmapClusterNode.StartAsync(new MmapClusterOptions
            {
                Root = _root, Port = 0, Config = config, SeedNodes = [_nodes[0].Cluster.SelfAddress.ToString()],
            }, door));
        }
        // Each node is Up once started, but may still see the others joining: a stat through its door would then ask
        // only itself where a file's owner runs.
        await TestCluster.WaitForUpAsync(_nodes.Select(n => n.MemberSystem), _nodes.Count, TimeSpan.FromSeconds(30));
        foreach (var node in _nodes)
        {
            _clients.Add(await MmapRemote.ConnectAsync(node.Door.Address.ToString(), "akka.loglevel = WARNING"));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }
        foreach (var node in _nodes)
        {
            await node.Door.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await node.MemberSystem.Terminate().WaitAsync(TimeSpan.FromSeconds(30));
        }
        Directory.Delete(_root, recursive: true);
    }

    private long EntitiesStarted => _nodes.Sum(n => n.Cluster.Context.EntitiesStarted);

    /// <summary>The node whose member runs the owner of <paramref name="key"/> now.</summary>
    private MmapClusterNode OwnerOf(string key) => _nodes.Single(n => n.Cluster.Context.IsRunning(key));

    [Fact]
    public async Task A_stat_through_a_door_of_a_file_nobody_opened_says_no_owner_and_starts_no_entity()
    {
        await File.WriteAllBytesAsync(Path.Combine(_root, "quiet.bin"), new byte[10]);
        long started = EntitiesStarted;

        var status = await _clients[0].StatAsync("quiet.bin");

        Assert.Equal(10, status.Size);
        Assert.Null(status.Owner);
        Assert.Equal(started, EntitiesStarted);
        Assert.Equal(new NoOwner("quiet.bin"), await _nodes[1].Cluster.Router.Ask<object>(new FindOwner("quiet.bin"), TimeSpan.FromSeconds(10)));
        Assert.Equal(started, EntitiesStarted);
    }

    [Fact]
    public async Task A_stat_through_either_door_names_the_member_whose_owner_has_the_file_open()
    {
        await File.WriteAllBytesAsync(Path.Combine(_root, "busy.bin"), new byte[10]);
        await using var file = await _clients[1].OpenAsync("busy.bin");
        var owner = OwnerOf("busy.bin").Cluster.SelfAddress;

        foreach (var client in _clients)
        {
            Assert.Equal(owner.ToString(), (await client.StatAsync("busy.bin")).Owner);
        }
        Assert.Equal(owner, await _nodes[0].Cluster.OwnerOfAsync("busy.bin"));
    }

    [Fact]
    public async Task A_door_client_reads_and_writes_a_file_whose_owner_runs_on_another_member()
    {
        await File.WriteAllBytesAsync(Path.Combine(_root, "far.bin"), new byte[4096]);
        await using (await _clients[0].OpenAsync("far.bin"))
        {
            var away = _clients[_nodes.IndexOf(_nodes.First(n => !n.Cluster.Context.IsRunning("far.bin")))];
            // Every answer crosses from the owner's member to the door's member, addressed to a relay of the bridge.
            await using var file = await away.OpenAsync("far.bin");
            var tasks = Enumerable.Range(0, 64).Select(i => file.WriteAtAsync(i * 64, Enumerable.Repeat((byte)i, 64).ToArray())).ToList();
            await Task.WhenAll(tasks);
            await file.FlushAsync();
            for (int i = 0; i < 64; i++)
            {
                Assert.Equal(Enumerable.Repeat((byte)i, 64).ToArray(), await file.ReadAtAsync(i * 64, 64));
            }
        }
        Assert.Equal(64 * 64, (await File.ReadAllBytesAsync(Path.Combine(_root, "far.bin"))).TakeWhile((b, i) => b == i / 64).Count());
    }

    [Fact]
    public async Task A_door_handle_whose_owners_node_died_answers_OwnerMoved_well_before_the_ask_timeout_and_the_file_opens_again()
    {
        await File.WriteAllBytesAsync(Path.Combine(_root, "lost.bin"), new byte[4096]);
        var pin = await _clients[0].OpenAsync("lost.bin");
        var victim = OwnerOf("lost.bin");
        int survivor = (_nodes.IndexOf(victim) + 1) % _nodes.Count;
        var file = await _clients[survivor].OpenAsync("lost.bin");
        await pin.DisposeAsync(); // the survivor's handle keeps the owner on the victim
        await file.WriteAtAsync(0, new byte[] { 7 });
        await file.FlushAsync();

        var clock = Stopwatch.StartNew();
        await TestCluster.AbortAsync(victim.MemberSystem);
        // Requests after the abort: the first that learns the node is gone fails with the typed error, and then every one
        // does at once, long before mmap.ask-timeout (30 s here).
        MmapException? moved = null;
        while (moved is null)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(25), "no OwnerMoved within 25 s of the owner's node dying");
            try
            {
                await file.ReadAtAsync(0, 1);
            }
            catch (MmapException e)
            {
                moved = e;
            }
        }
        Assert.True(moved.Code == MmapErrorCode.OwnerMoved, $"{moved.Code} after {clock.Elapsed}: {moved.Message}");
        var again = Stopwatch.StartNew();
        var second = await Assert.ThrowsAsync<MmapException>(() => file.ReadAtAsync(0, 1));
        Assert.Equal(MmapErrorCode.OwnerMoved, second.Code);
        Assert.True(again.Elapsed < TimeSpan.FromSeconds(5), $"a request on a lost handle took {again.Elapsed}");
        await file.DisposeAsync();

        // The survivor takes the file over: opened again through its door, the flushed byte is there.
        byte[]? read = null;
        while (read is null)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "the survivor did not serve the file within 60 s");
            try
            {
                // Each attempt is short: while the shard is still being handed over an open may wait unanswered, and one
                // wait of the full mmap.ask-timeout (30 s) would use up half the test's budget in a single try.
                using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await using var reopened = await _clients[survivor].OpenAsync("lost.bin", cancellationToken: attempt.Token);
                read = await reopened.ReadAtAsync(0, 1);
            }
            catch (MmapException e) when (e.Code == MmapErrorCode.OwnerMoved || e.Errno == 110)
            {
            }
            catch (Exception e) when (e is OperationCanceledException or TimeoutException)
            {
            }
        }
        Assert.Equal(new byte[] { 7 }, read);
    }

    [Fact]
    public async Task An_upload_in_progress_through_one_door_is_invisible_to_other_sessions_of_any_door_and_commits_for_its_own()
    {
        await File.WriteAllBytesAsync(Path.Combine(_root, "shared.bin"), "old"u8.ToArray());
        string temporary = ServedRoot.TemporaryNameFor("shared.bin");
        await _clients[0].CreateFileAsync(temporary, 3);
        await using (var upload = await _clients[0].OpenAsync(temporary))
        {
            await upload.WriteAtAsync(0, "new"u8.ToArray());
            await upload.FlushAsync();
        }
        await using var neighbour = await MmapRemote.ConnectAsync(_nodes[0].Door.Address.ToString(), "akka.loglevel = WARNING");

        foreach (var other in new[] { neighbour, _clients[1] })
        {
            Assert.Equal(2, (await Assert.ThrowsAsync<MmapException>(() => other.CommitFileAsync(temporary, "shared.bin"))).Errno);
            Assert.Equal(2, (await Assert.ThrowsAsync<MmapException>(() => other.OpenAsync(temporary))).Errno);
            Assert.DoesNotContain(await other.ListDirectoryAsync(""), e => e.Name == temporary);
        }
        Assert.Equal("old"u8.ToArray(), await File.ReadAllBytesAsync(Path.Combine(_root, "shared.bin")));

        await _clients[0].CommitFileAsync(temporary, "shared.bin");
        Assert.Equal("new"u8.ToArray(), await File.ReadAllBytesAsync(Path.Combine(_root, "shared.bin")));
    }
}
