using System.Buffers.Binary;
using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using MmapActors.Protocol;

namespace MmapActors.Tests.Remote.Adversarial;

/// <summary>Bytes the server cannot read — forged nesting and lengths, unknown tags, JSON or Hyperion payloads — are
/// answered at once with a typed error (errno 71), cost no memory of the size they claim, and harm nobody.</summary>
public sealed class MalformedInputAttackTests : TestKit
{
    private static byte[] DeepBatch(int depth)
    {
        var bytes = new byte[8 + depth * 5 + 1];
        int at = 8;
        for (int i = 0; i < depth; i++)
        {
            bytes[at++] = 31;
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), 1);
            at += 4;
        }
        bytes[at] = 9;
        return bytes;
    }

    public static IEnumerable<object[]> Forgeries() =>
    [
        ["a batch nested 20,000 deep", new RawPayload("R", DeepBatch(20_000))],
        ["a batch claiming two billion operations", new RawPayload("R", [0, 0, 0, 0, 0, 0, 0, 0, 31, 0xFF, 0xFF, 0xFF, 0x7F, 9])],
        ["a write claiming 2 GiB", new RawPayload("R", [0, 0, 0, 0, 0, 0, 0, 0, 6, 0xFF, 0xFF, 0xFF, 0x7F, 1])],
        ["a create claiming a 2 GiB path", new RawPayload("F", [0xFF, 0xFF, 0xFF, 0x7F, 1, 2, 3])],
        ["an unknown operation", new RawPayload("R", [0, 0, 0, 0, 0, 0, 0, 0, 250])],
        ["an unknown message", new RawPayload("Z", [1, 2, 3])],
        ["a reply sent to the server", new RawPayload("D", [])],
    ];

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task A_forged_request_to_the_session_is_answered_at_once_with_a_protocol_error(string what, RawPayload forgery)
    {
        await using var server = await AttackedServer.StartAsync();
        await using var attacker = Attacker.Create(server.Server.Address);
        var probe = CreateTestProbe(attacker.System);
        var session = await attacker.ConnectAsync(probe.Ref);
        var clock = Stopwatch.StartNew();

        session.Tell(forgery, probe.Ref);

        var error = probe.FishForMessage<MmapError>(_ => true, TimeSpan.FromSeconds(5));
        Assert.True(error.Errno == 71, $"{what}: {error.Message}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), what);
        await server.AssertStillServesAsync();
    }

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task A_forged_request_to_the_door_is_answered_too(string what, RawPayload forgery)
    {
        await using var server = await AttackedServer.StartAsync();
        await using var attacker = Attacker.Create(server.Server.Address);
        var probe = CreateTestProbe(attacker.System);
        var door = await attacker.DoorAsync();

        door.Tell(forgery, probe.Ref);

        var error = probe.ExpectMsg<MmapError>(TimeSpan.FromSeconds(5));
        Assert.True(error.Errno is 71 or 107, $"{what}: {error.Message}");
        await server.AssertStillServesAsync();
    }

    [Fact]
    public async Task A_client_that_sends_JSON_learns_why_at_once_instead_of_waiting_for_its_timeout()
    {
        // A stock client that binds nothing: its messages fall back to JSON. It still reads our replies.
        await using var server = await AttackedServer.StartAsync();
        var stock = ActorSystem.Create("stock", ConfigurationFactory.ParseString("""
            akka.loglevel = ERROR
            akka.actor.provider = remote
            akka.actor.serializers.mmap = "MmapActors.Remote.Serialization.MmapProtocolSerializer, MmapActors.Remote"
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0, maximum-frame-size = 4MiB }
            """));
        try
        {
            var door = await stock.ActorSelection($"{server.Server.Address}/user/mmap-server").ResolveOne(TimeSpan.FromSeconds(10));
            var clock = Stopwatch.StartNew();

            var reply = await door.Ask<object>(new Connect(stock.DeadLetters, Connect.Current), TimeSpan.FromSeconds(10));

            var error = Assert.IsType<MmapError>(reply);
            Assert.Equal(71, error.Errno);
            Assert.Contains("JSON", error.Message);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
            await server.AssertStillServesAsync();
        }
        finally
        {
            await stock.Terminate();
        }
    }

    [Fact]
    public async Task A_flood_of_forged_deep_batches_leaves_the_server_serving()
    {
        await using var server = await AttackedServer.StartAsync();
        await using var attacker = Attacker.Create(server.Server.Address);
        var probe = CreateTestProbe(attacker.System);
        var session = await attacker.ConnectAsync(probe.Ref);

        for (int i = 0; i < 200; i++)
        {
            session.Tell(new RawPayload("R", DeepBatch(100_000)), probe.Ref);
        }

        for (int i = 0; i < 200; i++)
        {
            probe.FishForMessage<MmapError>(e => e.Errno == 71, TimeSpan.FromSeconds(20));
        }
        await server.AssertStillServesAsync();
    }

    [Fact]
    public async Task A_batch_of_the_readme_kind_built_with_a_collection_expression_works_remotely()
    {
        await using var server = await AttackedServer.StartAsync();
        await using var file = await server.Honest.OpenAsync(server.Write("data.bin", new byte[64]));

        BatchReply reply = await file.BatchAsync([new CompareAndSwap(0, new byte[8], new byte[8]), new ReadAt(0, 8)]);

        Assert.True(reply.Succeeded, reply.Error?.Message);
        Assert.Equal(2, reply.Results.Count);
    }
}
