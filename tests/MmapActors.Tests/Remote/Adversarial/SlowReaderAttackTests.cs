using Akka.Actor;
using Akka.TestKit.Xunit2;
using MmapActors.Protocol;

namespace MmapActors.Tests.Remote.Adversarial;

/// <summary>A peer that asks for replies and never shows that it read them stops being served once its unread replies
/// reach the budget, and is disconnected when it stays silent: the server's memory stays bounded.</summary>
public sealed class SlowReaderAttackTests : TestKit
{
    private const string Config = """
        mmap.limits.max-range-length = 1MiB
        mmap.server { peer-timeout = 3s, checkpoint-interval = 500ms
                      session { max-unacknowledged-reply-bytes = 8MiB, checkpoint-bytes = 1MiB, max-requests-in-flight = 64 } }
        """;

    [Fact]
    public async Task A_peer_that_never_acknowledges_gets_at_most_its_budget_and_is_then_disconnected()
    {
        await using var server = await AttackedServer.StartAsync(Config);
        string name = server.Write("big.bin", new byte[4 << 20]);
        await using var attacker = Attacker.Create(server.Server.Address);
        var deaf = CreateTestProbe(attacker.System); // receives checkpoints, never answers them
        var replies = CreateTestProbe(attacker.System);
        var session = await attacker.ConnectAsync(deaf.Ref);
        session.Tell(new OpenMap(new MapOptions(name, Access: MmapAccess.Read), deaf.Ref), replies.Ref);
        var opened = replies.ExpectMsg<MapOpened>(TimeSpan.FromSeconds(10));

        for (int i = 0; i < 60; i++)
        {
            session.Tell(new MapRequest(opened.HandleId, new ReadAt(0, 1 << 20)), replies.Ref);
        }

        long received = 0;
        while (replies.ReceiveOne(TimeSpan.FromSeconds(2)) is BytesReply bytes)
        {
            received += bytes.Data.Length;
        }
        Assert.InRange(received, 8L << 20, 10L << 20); // the budget, plus the reply that crossed it
        deaf.FishForMessage(m => m is SessionClosed, TimeSpan.FromSeconds(10));
        await server.AssertStillServesAsync();
    }

    [Fact]
    public async Task A_peer_that_acknowledges_is_served_without_limit()
    {
        await using var server = await AttackedServer.StartAsync(Config);
        await using var file = await server.Honest.OpenAsync(server.Write("big.bin", new byte[4 << 20]), access: MmapAccess.Read);

        for (int i = 0; i < 40; i++)
        {
            Assert.Equal(1 << 20, (await file.ReadAtAsync(0, 1 << 20)).Length);
        }
    }

    [Fact]
    public async Task A_flood_of_requests_past_the_in_flight_limit_is_refused_with_EAGAIN()
    {
        await using var server = await AttackedServer.StartAsync("mmap.server.session.max-requests-in-flight = 4");
        string name = server.Write("f.bin", new byte[4096]);
        await using var attacker = Attacker.Create(server.Server.Address);
        var client = CreateTestProbe(attacker.System);
        var replies = CreateTestProbe(attacker.System);
        var session = await attacker.ConnectAsync(client.Ref);
        session.Tell(new OpenMap(new MapOptions(name, Access: MmapAccess.Read), client.Ref), replies.Ref);
        var opened = replies.ExpectMsg<MapOpened>(TimeSpan.FromSeconds(10));

        for (int i = 0; i < 2000; i++)
        {
            session.Tell(new MapRequest(opened.HandleId, Tell.Instance), replies.Ref);
        }

        int refused = 0, served = 0;
        for (int i = 0; i < 2000; i++)
        {
            switch (replies.ReceiveOne(TimeSpan.FromSeconds(10)))
            {
                case MmapError { Errno: 11 }: refused++; break;
                case NumberReply: served++; break;
                case var other: Assert.Fail($"unexpected {other}"); break;
            }
        }
        Assert.Equal(2000, refused + served);
        Assert.True(refused > 0 && served > 0, $"{refused} refused, {served} served");
        await server.AssertStillServesAsync();
    }
}
