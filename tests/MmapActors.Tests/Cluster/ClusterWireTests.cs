using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;
using MmapActors.Cluster;
using MmapActors.Cluster.Serialization;
using MmapActors.Protocol;
using MmapActors.Remote.Serialization;
using MmapActors.Remote.Server;

namespace MmapActors.Tests.Cluster;

/// <summary>What members send each other: their own messages round-trip, requests keep the client they name (members
/// trust each other), and a door never reads a request that way.</summary>
[Trait("Category", "Cluster")]
public sealed class ClusterWireTests : IAsyncLifetime
{
    private ActorSystem _member = null!;
    private ActorSystem _door = null!;
    private readonly string _root = Directory.CreateTempSubdirectory("mmap-cluster-wire-").FullName;

    public Task InitializeAsync()
    {
        // A member's configuration without joining anything: serialization is all this test touches.
        _member = ActorSystem.Create("mmap", MmapCluster.CreateConfig(new MmapClusterOptions { Root = _root, Port = 0 }));
        // Port 0: server.hocon's own port is the product's default (4053), taken wherever `mmapctl serve` runs.
        _door = ActorSystem.Create("door", ConfigurationFactory.ParseString($"mmap.served-root = \"{_root}\"\nakka.remote.dot-netty.tcp.port = 0")
            .WithFallback(MmapActors.Remote.RemoteConfig.Server));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _member.Terminate();
        await _door.Terminate();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void The_cluster_messages_round_trip_and_unreadable_bytes_are_a_serialization_error()
    {
        var serializer = (ClusterProtocolSerializer)_member.Serialization.FindSerializerForType(typeof(GetOwner));
        var location = new OwnerLocation("dir/a b.bin", Address.Parse("akka.tcp://mmap@127.0.0.1:4053"));
        Assert.Equal(location, serializer.FromBinary(serializer.ToBinary(location), serializer.Manifest(location)));
        var query = new GetOwner("dir/a b.bin");
        Assert.Equal(query, serializer.FromBinary(serializer.ToBinary(query), serializer.Manifest(query)));
        var replaced = new FileReplaced("x.bin");
        Assert.Equal(replaced, serializer.FromBinary(serializer.ToBinary(replaced), serializer.Manifest(replaced)));
        foreach (object message in new object[] { new FindOwner("dir/a b.bin"), new NoOwner("dir/a b.bin"), new RunsOwner("dir/a b.bin") })
        {
            Assert.Equal(message, serializer.FromBinary(serializer.ToBinary(message), serializer.Manifest(message)));
        }

        Assert.Throws<SerializationException>(() => serializer.FromBinary([1, 2, 3], "W"));
        Assert.Throws<SerializationException>(() => serializer.FromBinary(serializer.ToBinary(query), "Z"));
    }

    [Fact]
    public void A_member_reads_an_open_with_the_client_it_names_and_a_door_never_does()
    {
        var client = _member.ActorOf(Props.Empty, "client");
        var open = new OpenMap(new MapOptions("a.bin"), client);
        var member = (MmapProtocolSerializer)_member.Serialization.FindSerializerForType(typeof(OpenMap));
        var read = Assert.IsType<OpenMap>(member.FromBinary(member.ToBinary(open), member.Manifest(open)));
        Assert.Equal(client.Path, read.Client.Path);

        var door = (MmapProtocolSerializer)_door.Serialization.FindSerializerForType(typeof(OpenMap));
        var wrapped = Assert.IsType<FromPeer>(door.FromBinary(door.ToBinary(open), door.Manifest(open)));
        Assert.True(Assert.IsType<OpenMap>(wrapped.Request).Client.IsNobody(), "a door took a client ref from the wire");
    }

    [Fact]
    public void A_server_door_never_trusts_its_peers_even_when_its_configuration_says_so()
    {
        var config = MmapActors.Remote.MmapServer.BuildConfig(
            new MmapActors.Remote.MmapServerOptions(_root, Config: "mmap.cluster.trusted-members = on"), _root);
        Assert.False(config.GetBoolean("mmap.cluster.trusted-members"));
    }

    [Fact]
    public void A_stat_from_a_cluster_node_carries_its_owner_and_one_from_a_server_does_not()
    {
        var serializer = (MmapProtocolSerializer)_member.Serialization.FindSerializerForType(typeof(FileStatus));
        var owned = new FileStatus(42, "file") { Owner = "akka.tcp://mmap@127.0.0.1:4053" };
        Assert.Equal(owned, serializer.FromBinary(serializer.ToBinary(owned), serializer.Manifest(owned)));
        var plain = new FileStatus(42, "file");
        Assert.Null(Assert.IsType<FileStatus>(serializer.FromBinary(serializer.ToBinary(plain), serializer.Manifest(plain))).Owner);
    }
}
