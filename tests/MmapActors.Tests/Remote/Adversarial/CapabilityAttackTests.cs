using Akka.Actor;
using Akka.TestKit.Xunit2;
using MmapActors.Protocol;

namespace MmapActors.Tests.Remote.Adversarial;

/// <summary>A handle is usable only through the session that opened it: another session's handle ids, owners and the
/// supervisor named by path, and forged internal messages reach nothing.</summary>
public sealed class CapabilityAttackTests : TestKit
{
    [Fact]
    public async Task Another_sessions_handle_ids_behave_as_closed_maps_and_touch_nothing()
    {
        await using var server = await AttackedServer.StartAsync();
        await using var victim = await server.Honest.CreateAnonymousAsync(4096);
        await victim.WriteAtAsync(0, "secret"u8.ToArray());
        await using var attacker = Attacker.Create(server.Server.Address);
        var probe = CreateTestProbe(attacker.System);
        var session = await attacker.ConnectAsync(probe.Ref);

        for (long id = 0; id < 8; id++)
        {
            session.Tell(new MapRequest(id, new ReadAt(0, 6)), probe.Ref);
            Assert.Equal("mmap closed or invalid", probe.FishForMessage<MmapError>(_ => true, TimeSpan.FromSeconds(10)).Message);
            session.Tell(new MapRequest(id, Close.Instance), probe.Ref);
            probe.FishForMessage(m => m is Done, TimeSpan.FromSeconds(10));
        }

        Assert.Equal("secret"u8.ToArray(), await victim.ReadAtAsync(0, 6));
    }

    [Theory]
    [InlineData("/user/mmap/owner-1")]
    [InlineData("/user/mmap/owner-2")]
    [InlineData("/user/mmap")]
    public async Task Requests_sent_straight_to_an_owner_or_the_supervisor_are_refused_and_change_nothing(string path)
    {
        await using var server = await AttackedServer.StartAsync();
        string name = server.Write("shared.bin", new byte[4096]);
        await using var victim = await server.Honest.OpenAsync(name);
        await victim.WriteAtAsync(0, "victim"u8.ToArray());
        await using var anonymous = await server.Honest.CreateAnonymousAsync(4096);
        await anonymous.WriteAtAsync(0, "private"u8.ToArray());
        await using var attacker = Attacker.Create(server.Server.Address);
        var probe = CreateTestProbe(attacker.System);
        var target = attacker.At(path);

        for (long id = 1; id <= 4; id++)
        {
            target.Tell(new MapRequest(id, new ReadAt(0, 7)), probe.Ref);
            target.Tell(new MapRequest(id, new WriteAt(0, "hacked!"u8.ToArray())), probe.Ref);
            target.Tell(new MapRequest(id, new Resize(1)), probe.Ref);
            target.Tell(new MapRequest(id, Close.Instance), probe.Ref);
        }
        target.Tell(new OpenMap(new MapOptions(name), probe.Ref), probe.Ref);
        target.Tell(GetStats.Instance, probe.Ref);
        target.Tell(new CreateFile("planted.bin", 10), probe.Ref);

        for (int i = 0; i < 4 * 4 + 3; i++)
        {
            Assert.Equal(107, probe.ExpectMsg<MmapError>(TimeSpan.FromSeconds(10)).Errno);
        }
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Equal("victim"u8.ToArray(), await victim.ReadAtAsync(0, 6));
        Assert.Equal("private"u8.ToArray(), await anonymous.ReadAtAsync(0, 7));
        Assert.Equal(4096, await victim.LengthAsync());
        Assert.False(File.Exists(Path.Combine(server.Root, "planted.bin")));
    }

    [Fact]
    public async Task A_guessed_session_name_reaches_nobody_and_is_told_so()
    {
        await using var server = await AttackedServer.StartAsync();
        await using var attacker = Attacker.Create(server.Server.Address);
        var probe = CreateTestProbe(attacker.System);

        attacker.At("/user/mmap-server/s-00000000000000000000000000000000").Tell(GetStats.Instance, probe.Ref);
        attacker.At("/user/mmap-server/s-1").Tell(GetStats.Instance, probe.Ref);

        Assert.Contains("no such session", probe.ExpectMsg<MmapError>(TimeSpan.FromSeconds(10)).Message);
        Assert.Contains("no such session", probe.ExpectMsg<MmapError>(TimeSpan.FromSeconds(10)).Message);
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task A_session_serves_only_the_node_that_opened_it()
    {
        // A peer that learned a session's name cannot have it answer a third party (a reflection attack): requests whose
        // reply address is on another node are refused.
        await using var server = await AttackedServer.StartAsync();
        await using var owner = Attacker.Create(server.Server.Address);
        await using var other = Attacker.Create(server.Server.Address);
        var ownerProbe = CreateTestProbe(owner.System);
        var otherProbe = CreateTestProbe(other.System);
        var session = await owner.ConnectAsync(ownerProbe.Ref);
        var stolen = ((ExtendedActorSystem)other.System).Provider.ResolveActorRef(Akka.Serialization.Serialization.SerializedActorPath(session));

        stolen.Tell(GetStats.Instance, otherProbe.Ref);

        otherProbe.ExpectNoMsg(TimeSpan.FromSeconds(1));
    }
}
