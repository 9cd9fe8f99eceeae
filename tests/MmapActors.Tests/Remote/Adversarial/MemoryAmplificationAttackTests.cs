using MmapActors.Protocol;
using MmapActors.Remote;

namespace MmapActors.Tests.Remote.Adversarial;

/// <summary>Small requests that ask for big memory — anonymous maps, MAP_POPULATE, moves that touch fresh pages —
/// cost the server at most the session's budget, on a read-only export too. Measured on a real server process.</summary>
[Collection(NonParallelCollection.Name)]
public sealed class MemoryAmplificationAttackTests : IAsyncLifetime
{
    private const long Budget = 32L << 20;
    private readonly string _root = Directory.CreateTempSubdirectory("mmap-amplify-").FullName;
    private string _config = null!;

    public async Task InitializeAsync()
    {
        _config = _root + ".hocon";
        await File.WriteAllTextAsync(_config, $"""
            akka.loglevel = WARNING
            mmap.server.session.max-private-bytes = {Budget}
            mmap.server.max-private-bytes = {Budget * 2}
            """);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        File.Delete(_config);
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Anonymous_memory_costs_the_server_at_most_the_sessions_budget(bool readOnly)
    {
        await using var server = await ServerProcess.StartAsync(_root, _config, readOnly: readOnly);
        await using var attacker = await MmapRemote.ConnectAsync(server.Address, "akka.loglevel = OFF");
        long before = server.ResidentAnonymousBytes();

        // 512 MiB populated at open: refused before the kernel is asked.
        var populate = await Assert.ThrowsAsync<MmapException>(() =>
            attacker.OpenAsync(new MapOptions(null, 512L << 20, Flags: MapFlags.Private | MapFlags.Populate)));
        Assert.Equal(12, populate.Errno);
        // Anonymous maps up to the budget, each touched in full by a Move (one small message each) ...
        var maps = new List<IMappedFile>();
        while (true)
        {
            IMappedFile map;
            try
            {
                map = await attacker.CreateAnonymousAsync(8L << 20);
            }
            catch (MmapException e) when (e.Errno == 12)
            {
                break;
            }
            maps.Add(map);
            await map.WriteAtAsync(0, new byte[4096]);
            await map.MoveAsync(4096, 0, (8L << 20) - 4096);
            await map.BatchAsync([new Move(0, 4096, 4096), new Move(8192, 0, 4096)]);
        }

        long growth = server.ResidentAnonymousBytes() - before;
        Assert.Equal((int)(Budget / (8L << 20)), maps.Count);
        Assert.True(growth < Budget + (48L << 20), $"server anonymous memory grew {growth >> 20} MiB for a {Budget >> 20} MiB budget");
        // ... and the server still serves another client.
        await using var honest = await MmapRemote.ConnectAsync(server.Address, "akka.loglevel = OFF");
        await using var own = await honest.CreateAnonymousAsync(4096);
        await own.WriteAtAsync(0, "ok"u8.ToArray());
    }
}
