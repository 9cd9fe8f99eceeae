using Akka.Actor;
using Akka.Dispatch.SysMsg;
using Akka.TestKit.Xunit2;
using MmapActors.Protocol;

namespace MmapActors.Tests.Remote.Adversarial;

/// <summary>PoisonPill, Kill and raw system messages, sent by selection and straight to every path a peer can name:
/// none stops anything, and the server keeps serving.</summary>
public sealed class SystemMessageAttackTests : TestKit
{
    public static IEnumerable<object[]> ServerPaths() =>
    [
        ["/user/mmap"], ["/user/mmap-server"], ["/user/mmap/owner-1"], ["/user"], ["/system/remote-watcher"], ["/"],
    ];

    [Theory]
    [MemberData(nameof(ServerPaths))]
    public async Task PoisonPill_and_Kill_stop_nothing_whether_selected_or_sent_straight(string path)
    {
        await using var server = await AttackedServer.StartAsync();
        await server.AssertStillServesAsync(); // owner-1 exists now
        await using var attacker = Attacker.Create(server.Server.Address);

        attacker.System.ActorSelection($"{server.Server.Address}{path}").Tell(PoisonPill.Instance);
        attacker.System.ActorSelection($"{server.Server.Address}{path}").Tell(Kill.Instance);
        attacker.At(path).Tell(PoisonPill.Instance);
        attacker.At(path).Tell(Kill.Instance);

        await server.AssertStillServesAsync();
        Assert.False(server.Server.Supervisor.IsNobody());
        var door = await attacker.DoorAsync(); // the door still answers selection
        Assert.Equal(server.Server.Gateway.Path.Elements, door.Path.Elements);
    }

    [Theory]
    [MemberData(nameof(ServerPaths))]
    public async Task Raw_system_messages_terminate_suspend_or_recreate_nothing(string path)
    {
        await using var server = await AttackedServer.StartAsync();
        await server.AssertStillServesAsync();
        await using var attacker = Attacker.Create(server.Server.Address);
        var target = (IInternalActorRef)attacker.At(path);

        target.SendSystemMessage(new Suspend());
        target.SendSystemMessage(new Terminate());
        target.SendSystemMessage(new Recreate(new Exception("attack")));

        await server.AssertStillServesAsync();
    }

    [Fact]
    public async Task A_PoisonPill_for_the_attackers_own_session_is_dropped_too()
    {
        await using var server = await AttackedServer.StartAsync();
        await using var attacker = Attacker.Create(server.Server.Address);
        var probe = CreateTestProbe(attacker.System);
        var session = await attacker.ConnectAsync(probe.Ref);

        session.Tell(PoisonPill.Instance);
        session.Tell(GetStats.Instance, probe.Ref);

        probe.FishForMessage(m => m is MmapStats, TimeSpan.FromSeconds(10));
    }
}
