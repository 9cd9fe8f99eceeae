using Akka.Actor;
using MmapActors.Protocol;
using MmapActors.Remote;

namespace MmapActors.Tests.Remote.Adversarial;

/// <summary>One session spends its whole budget — handles, private memory, sessions of its node — and another still
/// opens what it needs: no single session denies service to the others.</summary>
public sealed class SessionBudgetAttackTests
{
    private const string TightBudgets = """
        mmap.server {
          max-sessions-per-node = 3
          max-private-bytes = 32MiB
          session { max-handles = 4, max-private-bytes = 8MiB, max-mapped-bytes = 12MiB }
        }
        """;

    [Fact]
    public async Task A_session_at_its_handle_limit_is_refused_with_EMFILE_while_another_session_opens()
    {
        await using var server = await AttackedServer.StartAsync(TightBudgets);
        string name = server.Write("f.bin", new byte[4096]);
        await using var greedy = await MmapRemote.ConnectAsync(server.Server.Address.ToString(), "akka.loglevel = ERROR");
        for (int i = 0; i < 4; i++)
        {
            await greedy.OpenAsync(name, access: MmapAccess.Read);
        }

        var refused = await Assert.ThrowsAsync<MmapException>(() => greedy.OpenAsync(name, access: MmapAccess.Read));

        Assert.Equal(24, refused.Errno);
        Assert.Equal(MmapErrorCode.LimitExceeded, refused.Code);
        Assert.Contains("mmap.server.session.max-handles", refused.Message);
        await server.AssertStillServesAsync();
    }

    [Fact]
    public async Task Anonymous_memory_and_MAP_POPULATE_count_against_the_session_and_the_server()
    {
        await using var server = await AttackedServer.StartAsync(TightBudgets);
        await using var greedy = await MmapRemote.ConnectAsync(server.Server.Address.ToString(), "akka.loglevel = ERROR");

        var populate = new MapOptions(null, 512L << 20, Flags: MapFlags.Private | MapFlags.Populate);
        var huge = await Assert.ThrowsAsync<MmapException>(() => greedy.OpenAsync(populate));
        Assert.Equal(12, huge.Errno);
        await using var first = await greedy.CreateAnonymousAsync(8L << 20);
        var more = await Assert.ThrowsAsync<MmapException>(() => greedy.CreateAnonymousAsync(4096));
        Assert.Contains("max-private-bytes", more.Message);

        await using var modest = await server.Honest.CreateAnonymousAsync(1 << 20);
        await modest.WriteAtAsync(0, "mine"u8.ToArray());
        await server.AssertStillServesAsync();
    }

    [Fact]
    public async Task A_copy_on_write_map_counts_as_private_memory_and_a_resize_past_the_budget_is_refused()
    {
        await using var server = await AttackedServer.StartAsync(TightBudgets);
        await using var greedy = await MmapRemote.ConnectAsync(server.Server.Address.ToString(), "akka.loglevel = ERROR");
        await using var anonymous = await greedy.CreateAnonymousAsync(4096, MmapAccess.Write);

        var grow = await Assert.ThrowsAsync<MmapException>(() => anonymous.ResizeAsync(64L << 20));

        Assert.Equal(12, grow.Errno);
        Assert.Equal(4096, await anonymous.LengthAsync());
    }

    [Fact]
    public async Task Mapped_bytes_per_session_are_bounded()
    {
        await using var server = await AttackedServer.StartAsync(TightBudgets);
        string big = server.Write("big.bin", new byte[16 << 20]);
        await using var greedy = await MmapRemote.ConnectAsync(server.Server.Address.ToString(), "akka.loglevel = ERROR");

        var refused = await Assert.ThrowsAsync<MmapException>(() => greedy.OpenAsync(big, access: MmapAccess.Read));

        Assert.Equal(12, refused.Errno);
        Assert.Contains("mmap.server.session.max-mapped-bytes", refused.Message);
    }

    [Fact]
    public async Task A_node_at_its_session_limit_is_refused_and_closing_one_frees_a_place()
    {
        await using var server = await AttackedServer.StartAsync(TightBudgets);
        await using var attacker = Attacker.Create(server.Server.Address);
        var client = attacker.System.ActorOf(Akka.Actor.Props.Empty);
        var sessions = new List<Akka.Actor.IActorRef>();
        for (int i = 0; i < 3; i++)
        {
            sessions.Add(await attacker.ConnectAsync(client));
        }

        var door = await attacker.DoorAsync();
        var refused = await door.Ask<object>(new Protocol.Connect(client, Protocol.Connect.Current), TimeSpan.FromSeconds(10));
        Assert.Equal(11, Assert.IsType<Protocol.MmapError>(refused).Errno);

        await sessions[0].Ask<object>(Protocol.Disconnect.Instance, TimeSpan.FromSeconds(10));
        await AwaitConnectAsync(attacker, client);
        await server.AssertStillServesAsync();
    }

    private const long KiB = 1024;

    private const string GrowthBudget = "mmap.server.session.max-growth-bytes = 1MiB";

    private static void AssertQuota(MmapException e)
    {
        Assert.Equal(MmapErrorKind.OSError, e.Kind);
        Assert.Equal(122, e.Errno); // EDQUOT
        Assert.Equal(MmapErrorCode.LimitExceeded, e.Code);
        Assert.Contains("mmap.server.session.max-growth-bytes", e.Message);
    }

    [Fact]
    public async Task A_session_past_its_growth_budget_is_refused_with_EDQUOT_while_another_session_still_creates_and_grows()
    {
        await using var server = await AttackedServer.StartAsync(GrowthBudget);
        await using var greedy = await MmapRemote.ConnectAsync(server.Server.Address.ToString(), "akka.loglevel = ERROR");
        await greedy.CreateFileAsync("a.bin", 600 * KiB);

        AssertQuota(await Assert.ThrowsAsync<MmapException>(() => greedy.CreateFileAsync("b.bin", 600 * KiB)));
        Assert.False(File.Exists(Path.Combine(server.Root, "b.bin")));

        await using var a = await greedy.OpenAsync("a.bin");
        await a.ResizeAsync(900 * KiB); // 900 KiB added in all
        AssertQuota(await Assert.ThrowsAsync<MmapException>(() => a.ResizeAsync(1100 * KiB)));
        Assert.Equal(900 * KiB, new FileInfo(Path.Combine(server.Root, "a.bin")).Length);
        // Shrinking gives nothing back: growing again counts again.
        await a.ResizeAsync(100 * KiB);
        await a.ResizeAsync(200 * KiB); // 1000 KiB added in all
        AssertQuota(await Assert.ThrowsAsync<MmapException>(() => a.ResizeAsync(300 * KiB)));
        // Writes inside the file are never refused.
        await a.WriteAtAsync(200 * KiB - 4, "last"u8.ToArray());
        Assert.Equal("last"u8.ToArray(), await a.ReadAtAsync(200 * KiB - 4, 4));

        // Another session has a budget of its own.
        await server.Honest.CreateFileAsync("c.bin", 1000 * KiB);
        await using var c = await server.Honest.OpenAsync("c.bin");
        await c.ResizeAsync(1024 * KiB);
        await server.AssertStillServesAsync();
    }

    [Fact]
    public async Task A_create_or_resize_that_fails_gives_its_growth_back_to_the_session()
    {
        await using var server = await AttackedServer.StartAsync(GrowthBudget);
        string existing = server.Write("exists.bin", new byte[4 * KiB]);
        await using var client = await MmapRemote.ConnectAsync(server.Server.Address.ToString(), "akka.loglevel = ERROR");

        Assert.Equal(17, (await Assert.ThrowsAsync<MmapException>(() => client.CreateFileAsync(existing, 1000 * KiB))).Errno);
        await client.CreateFileAsync("new.bin", 1000 * KiB); // 1000 KiB added: the failed create counted nothing
        await using var readOnly = await client.OpenAsync(existing, access: MmapAccess.Read);
        Assert.Equal(MmapErrorKind.TypeError, (await Assert.ThrowsAsync<MmapException>(() => readOnly.ResizeAsync(24 * KiB))).Kind);
        await using var writable = await client.OpenAsync(existing);
        await writable.ResizeAsync(24 * KiB); // 1020 KiB added: the refused resize counted nothing

        AssertQuota(await Assert.ThrowsAsync<MmapException>(() => writable.ResizeAsync(32 * KiB)));
    }

    private static async Task AwaitConnectAsync(Attacker attacker, Akka.Actor.IActorRef client)
    {
        var door = await attacker.DoorAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var reply = await door.Ask<object>(new Protocol.Connect(client, Protocol.Connect.Current), TimeSpan.FromSeconds(10));
            if (reply is Protocol.Connected)
            {
                return;
            }
            // The door counts the session out when it learns that it stopped, a moment after Disconnect's reply.
            await Task.Delay(50, deadline.Token);
        }
    }
}
