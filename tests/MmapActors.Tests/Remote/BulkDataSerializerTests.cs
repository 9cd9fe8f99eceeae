using Akka.Actor;
using Akka.Serialization;
using MmapActors.Protocol;
using MmapActors.Remote;
using MmapActors.Remote.Serialization;

namespace MmapActors.Tests.Remote;

public sealed class BulkDataSerializerTests : IAsyncLifetime
{
    private ActorSystem _system = null!;

    public Task InitializeAsync()
    {
        _system = ActorSystem.Create("serialization", RemoteConfig.Client);
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _system.Terminate();

    public static IEnumerable<object[]> DataPathMessages() =>
    [
        [new MapRequest(7, new ReadAt(1L << 40, 4096))],
        [new MapRequest(8, new WriteAt(12345, [1, 2, 3]))],
        [new MapRequest(9, new Batch([new Seek(3), new ReadAt(0, 2), new CompareAndSwap(0, [1], [2])]))],
        [new BytesReply([9, 8, 7])],
        [new NumberReply(-42)],
        [Done.Instance],
    ];

    [Theory]
    [MemberData(nameof(DataPathMessages))]
    public void Data_path_messages_use_the_hand_written_serializer_and_round_trip(object message)
    {
        var serialization = _system.Serialization;
        var serializer = serialization.FindSerializerFor(message);
        Assert.IsType<BulkDataSerializer>(serializer);

        byte[] bytes = serializer.ToBinary(message);
        object back = serialization.Deserialize(bytes, serializer.Identifier, Serialization.ManifestFor(serializer, message));

        Assert.Equal(Describe(message), Describe(back));
    }

    [Fact]
    public void Other_protocol_messages_stay_with_Hyperion()
    {
        Assert.Equal("HyperionSerializer", _system.Serialization.FindSerializerFor(new MmapError(MmapErrorKind.ValueError, "x", null)).GetType().Name);
        Assert.Equal("HyperionSerializer", _system.Serialization.FindSerializerFor(new OpenMap(new MapOptions("a"), ActorRefs.Nobody)).GetType().Name);
    }

    [Theory]
    [InlineData("R", new byte[] { 1, 0, 0 })]
    [InlineData("R", new byte[] { 9, 0, 0, 0, 0, 0, 0, 0, 0, 0 })]
    [InlineData("N", new byte[] { 1, 2 })]
    [InlineData("Q", new byte[] { })]
    public void Malformed_input_is_a_SerializationException_which_drops_the_message(string manifest, byte[] bytes)
    {
        var serializer = new BulkDataSerializer((ExtendedActorSystem)_system);
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary(bytes, manifest));
    }

    private static string Describe(object message) => message switch
    {
        MapRequest { Operation: WriteAt w } r => $"{r.HandleId} WriteAt {w.Offset} {Convert.ToHexString(w.Data)}",
        MapRequest { Operation: Batch b } r => $"{r.HandleId} Batch {string.Join(",", b.Operations.Select(o => o.GetType().Name))}",
        MapRequest r => $"{r.HandleId} {r.Operation}",
        BytesReply b => $"Bytes {Convert.ToHexString(b.Data)}",
        _ => message.ToString()!,
    };
}
