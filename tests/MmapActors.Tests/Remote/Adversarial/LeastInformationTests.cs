using MmapActors.Remote;

namespace MmapActors.Tests.Remote.Adversarial;

/// <summary>A peer learns nothing of the server beyond its own files: stats show only its own handles by relative path,
/// and no key or error names the served root.</summary>
public sealed class LeastInformationTests
{
    [Fact]
    public async Task Stats_show_only_the_callers_own_handles_by_relative_path()
    {
        await using var server = await AttackedServer.StartAsync();
        string mine = server.Write("mine.bin", new byte[4096]);
        string theirs = server.Write("theirs.bin", new byte[4096]);
        await using var other = await MmapRemote.ConnectAsync(server.Server.Address.ToString(), "akka.loglevel = ERROR");
        await using var a = await server.Honest.OpenAsync(mine, access: MmapAccess.Read);
        await using var b = await other.OpenAsync(theirs, access: MmapAccess.Read);

        var stats = await server.Honest.GetStatsAsync();

        var file = Assert.Single(stats.Files);
        Assert.Equal("mine.bin", file.Key);
        Assert.Equal(1, file.Handles);
        Assert.DoesNotContain(stats.Files.SelectMany(f => f.HandlesPerClient.Keys), k => k.Contains("akka"));
        Assert.Equal("mine.bin", a.Key);
    }

    [Fact]
    public async Task No_key_or_error_sent_to_a_peer_names_the_served_root()
    {
        await using var server = await AttackedServer.StartAsync();
        server.Write("f.bin", new byte[16]);
        Directory.CreateDirectory(Path.Combine(server.Root, "dir"));
        var messages = new List<string>();

        foreach (var attempt in new Func<Task>[]
        {
            () => server.Honest.OpenAsync("missing.bin"),
            () => server.Honest.OpenAsync("dir"),
            () => server.Honest.OpenAsync("../escape"),
            () => server.Honest.CreateFileAsync("f.bin", 10),
            () => server.Honest.ListDirectoryAsync("nowhere"),
        })
        {
            messages.Add((await Assert.ThrowsAsync<MmapException>(attempt)).Message);
        }

        Assert.All(messages, m => Assert.DoesNotContain(server.Root, m));
        Assert.All(messages, m => Assert.DoesNotContain("/tmp/", m));
    }
}
