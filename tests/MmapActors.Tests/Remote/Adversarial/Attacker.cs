using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using MmapActors.Protocol;
using MmapActors.Remote;

namespace MmapActors.Tests.Remote.Adversarial;

/// <summary>
/// A hostile peer: a stock Akka.NET node (no untrusted mode of its own) that can speak the protocol, forge raw bytes,
/// send system messages and name any path on the server. It holds a session of its own, opened by hand, so that it can
/// also misbehave inside the protocol (never acknowledge a checkpoint, flood requests).
/// </summary>
public sealed class Attacker : IAsyncDisposable
{
    private Attacker(ActorSystem system, Address server)
    {
        System = system;
        Server = server;
    }

    public ActorSystem System { get; }

    public Address Server { get; }

    public static Attacker Create(Address server, string? extraConfig = null)
    {
        var config = ConfigurationFactory.ParseString((extraConfig ?? "") + """

            akka.loglevel = ERROR
            akka.actor.provider = remote
            akka.actor.serializers.forge = "MmapActors.Tests.Remote.Adversarial.ForgingSerializer, MmapActors.Tests"
            akka.actor.serialization-bindings {
              "MmapActors.Protocol.IMmapMessage, MmapActors" = forge
              "MmapActors.Tests.Remote.Adversarial.RawPayload, MmapActors.Tests" = forge
            }
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0, maximum-frame-size = 4MiB, send-buffer-size = 8MiB, receive-buffer-size = 8MiB }
            """);
        return new Attacker(ActorSystem.Create("attacker", config), server);
    }

    /// <summary>A reference to any path on the server, built from its name alone (no selection, no Identify).</summary>
    public IActorRef At(string path) => ((ExtendedActorSystem)System).Provider.ResolveActorRef($"{Server}{path}");

    /// <summary>The door, found by selection as an honest client finds it.</summary>
    public Task<IActorRef> DoorAsync() => System.ActorSelection($"{Server}/user/mmap-server").ResolveOne(TimeSpan.FromSeconds(10));

    /// <summary>Opens a session by hand; <paramref name="client"/> receives the checkpoints (and may ignore them).</summary>
    public async Task<IActorRef> ConnectAsync(IActorRef client)
    {
        var door = await DoorAsync();
        var reply = await door.Ask<object>(new Connect(client, Connect.Current), TimeSpan.FromSeconds(10));
        return Assert.IsType<Connected>(reply).Session;
    }

    /// <summary>A probe in the attacker's system, for replies.</summary>
    public TestProbe Probe(TestKitBase kit) => kit.CreateTestProbe(System);

    public async ValueTask DisposeAsync() => await System.Terminate();
}
