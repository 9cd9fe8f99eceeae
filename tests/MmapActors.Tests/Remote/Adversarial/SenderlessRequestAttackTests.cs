using Akka.Actor;
using Akka.Event;
using Akka.TestKit.Xunit2;
using MmapActors.Protocol;

namespace MmapActors.Tests.Remote.Adversarial;

/// <summary>
/// A session serves only the node that opened it, and tells which node sent a request by the request's sender: a request
/// sent without one (<see cref="ActorRefs.NoSender"/>, as <c>ActorSelection.Tell(message)</c> sends) from a node that
/// learned the session's name is refused, executes nothing, and leaves one warning in the server's log however many come
/// (with those whose sender is on another node).
/// </summary>
public sealed class SenderlessRequestAttackTests : TestKit
{
    [Fact]
    public async Task A_request_without_a_sender_from_a_third_node_changes_nothing_and_the_victims_handle_still_works()
    {
        await using var server = await AttackedServer.StartAsync("akka.loglevel = WARNING");
        string name = server.Write("victim.bin", new byte[4096]);
        var warnings = CreateTestProbe();
        server.Server.System.EventStream.Subscribe(warnings.Ref, typeof(Warning));
        await using var victim = Attacker.Create(server.Server.Address);
        var replies = CreateTestProbe(victim.System);
        var session = await victim.ConnectAsync(CreateTestProbe(victim.System).Ref);
        session.Tell(new OpenMap(new MapOptions(name), replies.Ref), replies.Ref);
        var opened = replies.ExpectMsg<MapOpened>(TimeSpan.FromSeconds(10));
        session.Tell(new MapRequest(opened.HandleId, new WriteAt(0, "victim"u8.ToArray())), replies.Ref);
        Assert.IsNotType<MmapError>(replies.ExpectMsg<MapReply>(TimeSpan.FromSeconds(10)));
        await using var third = Attacker.Create(server.Server.Address);
        string sessionPath = Akka.Serialization.Serialization.SerializedActorPath(session);
        var stolen = ((ExtendedActorSystem)third.System).Provider.ResolveActorRef(sessionPath);

        for (int i = 0; i < 20; i++)
        {
            stolen.Tell(new MapRequest(opened.HandleId, new WriteAt(0, "hacked"u8.ToArray())), ActorRefs.NoSender);
            third.System.ActorSelection(sessionPath).Tell(new MapRequest(opened.HandleId, new Resize(1)));
        }
        stolen.Tell(new MapRequest(opened.HandleId, Close.Instance), ActorRefs.NoSender);
        var thirdProbe = CreateTestProbe(third.System);
        for (int i = 0; i < 20; i++)
        {
            stolen.Tell(new MapRequest(opened.HandleId, new WriteAt(0, "hacked"u8.ToArray())), thirdProbe.Ref); // a sender, on another node
        }
        replies.ExpectNoMsg(TimeSpan.FromSeconds(2)); // time for all of them to arrive (and, unrefused, to run)

        Assert.Equal("victim"u8.ToArray(), (await File.ReadAllBytesAsync(Path.Combine(server.Root, name)))[..6]);
        Assert.Equal(4096, new FileInfo(Path.Combine(server.Root, name)).Length);
        session.Tell(new MapRequest(opened.HandleId, new ReadAt(0, 6)), replies.Ref);
        Assert.Equal("victim"u8.ToArray(), replies.ExpectMsg<BytesReply>(TimeSpan.FromSeconds(10)).Data);
        await server.AssertStillServesAsync();
        // One warning for the 61 requests (the window has passed: they have all arrived), saying what was wrong first.
        var refusals = warnings.ReceiveWhile(TimeSpan.FromMilliseconds(200), m => m).OfType<Warning>()
            .Select(w => w.Message.ToString()!).Where(m => m.Contains("refused a request", StringComparison.Ordinal)).ToList();
        Assert.Contains("without a sender", Assert.Single(refusals));
        thirdProbe.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }
}
