using System.Buffers.Binary;
using System.Diagnostics;
using System.Reflection;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using MmapActors.Protocol;
using MmapActors.Remote;
using MmapActors.Remote.Serialization;
using MmapActors.Remote.Server;

namespace MmapActors.Tests.Remote;

/// <summary>The wire form: every message round-trips, every operation is wired or declared local, and bytes a peer
/// forges (deep nesting, lying lengths, unknown tags, trailing bytes) become an unreadable request, never an exception
/// or an allocation of the size they claim.</summary>
public sealed class ProtocolSerializerTests : IAsyncLifetime
{
    private ActorSystem _client = null!;
    private ActorSystem _server = null!;

    public Task InitializeAsync()
    {
        _client = ActorSystem.Create("serialization", RemoteConfig.Client);
        _server = ActorSystem.Create("served", ConfigurationFactory.ParseString("mmap.served-root = \"/srv\"").WithFallback(RemoteConfig.Client));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _client.Terminate();
        await _server.Terminate();
    }

    private MmapProtocolSerializer ClientSerializer => (MmapProtocolSerializer)_client.Serialization.FindSerializerForType(typeof(MapRequest));

    private MmapProtocolSerializer ServerSerializer => (MmapProtocolSerializer)_server.Serialization.FindSerializerForType(typeof(MapRequest));

    public static IEnumerable<object[]> Requests() =>
    [
        [new MapRequest(7, new ReadAt(1L << 40, 4096))],
        [new MapRequest(8, new WriteAt(12345, [1, 2, 3]))],
        [new MapRequest(8, new WriteAt(0, []))],
        [new MapRequest(9, new Batch([new Seek(3, SeekOrigin.End), new ReadAt(0, 2), new CompareAndSwap(0, [1], [2]), new Batch([Close.Instance])]))],
        [new MapRequest(1, new Read(null))],
        [new MapRequest(1, new Find([1, 2], null, 9, Reverse: true))],
        [new MapRequest(1, new SetSlice(null, -1, 2, [7, 7]))],
        [new MapRequest(1, new Madvise(MadviseOption.DontNeed, 0, null))],
        [new CreateFile("a/b.bin", 1 << 20)],
        [new ListDirectory("")],
        [GetStats.Instance],
        [Disconnect.Instance],
        [new CheckpointAck(42)],
        [new OpenDataPlane("a/b.bin", 4096, 1 << 20, Write: true)],
        [new StatFile("a/b.bin")],
        [new CommitFile(".b.bin.0123456789abcdef.part", "b.bin", Discard: true)],
    ];

    [Theory]
    [MemberData(nameof(Requests))]
    public void A_request_round_trips_and_arrives_wrapped_so_that_only_the_door_and_sessions_handle_it(IMmapMessage request)
    {
        byte[] bytes = ClientSerializer.ToBinary(request);

        var arrived = Assert.IsType<FromPeer>(ServerSerializer.FromBinary(bytes, ClientSerializer.Manifest(request)));

        Assert.Null(arrived.Problem);
        Assert.Equal(bytes.Length, arrived.WireBytes);
        Assert.Equal(bytes, ClientSerializer.ToBinary(arrived.Request!));
    }

    [Fact]
    public void An_open_keeps_its_options_but_never_the_client_actor_a_peer_names()
    {
        var options = new MapOptions("x.bin", 4096, MmapAccess.Copy, 8192, MapFlags.Private, MapProtection.Read, TrackFd: false, ReadOnlyFile: true);
        var open = new OpenMap(options, _client.DeadLetters);

        var arrived = (FromPeer)ServerSerializer.FromBinary(ClientSerializer.ToBinary(open), ClientSerializer.Manifest(open));

        var read = Assert.IsType<OpenMap>(arrived.Request);
        Assert.Equal(options, read.Options);
        Assert.True(read.Client.IsNobody());
    }

    public static IEnumerable<object[]> Replies() =>
    [
        [Done.Instance],
        [new BytesReply([9, 8, 7])],
        [new NumberReply(-42)],
        [new BooleanReply(true)],
        [new TextReply("<mmap.mmap closed=False, access=ACCESS_DEFAULT, length=3, pos=0, offset=0>")],
        [new LeaseReply(true, 4096)],
        [new MmapError(MmapErrorKind.ValueError, "seek out of range", null)],
        [new MmapError(MmapErrorKind.OSError, "[Errno 2] No such file or directory: 'x'", 2)],
        [new BatchReply([Done.Instance, new BytesReply([1]), new BatchReply([new NumberReply(3)], -1, null)], 3,
            new MmapError(MmapErrorKind.ValueError, "compare-and-swap failed: differ", null))],
        [new DirectoryListing([new DirectoryEntry("a", 3, "file"), new DirectoryEntry("d", 0, "directory")])],
        [new Checkpoint(5)],
        [new SessionClosed("bye")],
        [new FileStatus(4096, "file")],
        [new DataPlaneTicket(new Uri("http://127.0.0.1:4080/"), "ticket", DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000))],
        [new MmapStats([new FileStats("a.bin", 2, 8192, new Dictionary<string, int> { ["this session"] = 2 })])],
    ];

    [Theory]
    [MemberData(nameof(Replies))]
    public void A_reply_round_trips_to_a_client(object reply)
    {
        string manifest = ClientSerializer.Manifest(reply);
        byte[] bytes = ClientSerializer.ToBinary(reply);

        object back = ClientSerializer.FromBinary(bytes, manifest);

        Assert.Equal(reply.GetType(), back.GetType());
        Assert.Equal(bytes, ClientSerializer.ToBinary(back));
    }

    [Fact]
    public void Connected_names_the_session_and_the_checkpoint_interval()
    {
        var connected = new Connected(_client.DeadLetters, TimeSpan.FromMilliseconds(1500));

        var back = Assert.IsType<Connected>(ClientSerializer.FromBinary(ClientSerializer.ToBinary(connected), ClientSerializer.Manifest(connected)));

        Assert.Equal(_client.DeadLetters.Path, back.Session.Path);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), back.CheckpointInterval);
    }

    [Theory]
    [MemberData(nameof(Replies))]
    public void A_server_reads_a_reply_sent_to_it_as_an_unreadable_request(object reply)
    {
        // A forged answer aimed at one of the server's own Asks must not complete it.
        var arrived = Assert.IsType<FromPeer>(ServerSerializer.FromBinary(ClientSerializer.ToBinary(reply), ClientSerializer.Manifest(reply)));

        Assert.Null(arrived.Request);
    }

    [Fact]
    public void Every_operation_type_has_a_wire_form_or_is_declared_local_only()
    {
        var operations = typeof(MapOperation).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(MapOperation)) && !t.IsAbstract && !OperationCodec.LocalOnly.Contains(t));
        foreach (var type in operations)
        {
            var instance = Instantiate(type);
            var request = new MapRequest(1, instance);
            var arrived = (FromPeer)ServerSerializer.FromBinary(ClientSerializer.ToBinary(request), "R");
            Assert.True(arrived.Problem is null, $"{type.Name}: {arrived.Problem}");
            Assert.IsType(type, ((MapRequest)arrived.Request!).Operation);
        }
    }

    [Fact]
    public void Local_only_operations_and_internal_messages_cannot_be_sent()
    {
        Assert.ThrowsAny<System.Runtime.Serialization.SerializationException>(() =>
            ClientSerializer.ToBinary(new MapRequest(1, new ReadAtInto(0, new byte[4]))));
        Assert.ThrowsAny<System.Runtime.Serialization.SerializationException>(() =>
            ClientSerializer.ToBinary(new MapRequest(1, new Batch([new GrowTo(4096)]))));
        Assert.ThrowsAny<System.Runtime.Serialization.SerializationException>(() => ClientSerializer.Manifest(FlushAndCloseAll.Instance));
        Assert.ThrowsAny<System.Runtime.Serialization.SerializationException>(() => ClientSerializer.Manifest(new InjectFault("boom")));
    }

    [Fact]
    public void A_batch_nested_twenty_thousand_deep_is_unreadable_at_once_without_exhausting_the_stack()
    {
        const int depth = 20_000;
        var bytes = new byte[8 + depth * 5 + 1];
        int at = 8;
        for (int i = 0; i < depth; i++)
        {
            bytes[at++] = 31; // Batch
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), 1);
            at += 4;
        }
        bytes[at] = 9; // Tell
        var clock = Stopwatch.StartNew();

        var arrived = Assert.IsType<FromPeer>(ServerSerializer.FromBinary(bytes, "R"));

        Assert.Null(arrived.Request);
        Assert.Contains("nest", arrived.Problem);
        Assert.True(clock.ElapsedMilliseconds < 1000, $"{clock.ElapsedMilliseconds} ms");
    }

    [Theory]
    [InlineData("a batch claiming two billion operations", new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 31, 0xFF, 0xFF, 0xFF, 0x7F, 9 })]
    [InlineData("a write claiming 2 GiB of data", new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 6, 0xFF, 0xFF, 0xFF, 0x7F, 1, 2 })]
    [InlineData("a negative length", new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 6, 0xFF, 0xFF, 0xFF, 0xFF })]
    [InlineData("an unknown operation tag", new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 200 })]
    [InlineData("a truncated handle", new byte[] { 1, 0, 0 })]
    [InlineData("trailing bytes", new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 9, 9 })]
    [InlineData("a boolean that is neither 0 nor 1", new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 3, 7 })]
    public void A_forged_request_is_unreadable_with_a_reason_and_nothing_of_the_claimed_size_is_allocated(string what, byte[] bytes)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();

        var arrived = Assert.IsType<FromPeer>(ServerSerializer.FromBinary(bytes, "R"));

        Assert.True(arrived.Request is null, what);
        Assert.StartsWith("malformed MapRequest", arrived.Problem);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 * 1024, what);
    }

    [Fact]
    public void An_unknown_manifest_and_the_JSON_and_Hyperion_ids_are_unreadable_requests_not_exceptions()
    {
        Assert.Null(Assert.IsType<FromPeer>(ServerSerializer.FromBinary([1, 2, 3], "Q")).Request);
        Assert.Contains("JSON", Assert.IsType<FromPeer>(_server.Serialization.Deserialize([1], 1, typeof(object))).Problem);
        Assert.Contains("Hyperion", Assert.IsType<FromPeer>(_server.Serialization.Deserialize([1], -5, typeof(object))).Problem);
    }

    [Fact]
    public void A_batch_built_with_a_collection_expression_a_list_or_an_array_travels_alike()
    {
        IReadOnlyList<MapOperation> expression = [new ReadAt(0, 1), Tell.Instance];
        var forms = new[] { expression, new List<MapOperation> { new ReadAt(0, 1), Tell.Instance }, new MapOperation[] { new ReadAt(0, 1), Tell.Instance } };

        var wire = forms.Select(ops => Convert.ToHexString(ClientSerializer.ToBinary(new MapRequest(3, new Batch(ops))))).Distinct().ToArray();

        Assert.Single(wire);
    }

    private static MapOperation Instantiate(Type type)
    {
        if (type.GetProperty("Instance", BindingFlags.Public | BindingFlags.Static) is { } singleton)
        {
            return (MapOperation)singleton.GetValue(null)!;
        }
        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        object?[] arguments = constructor.GetParameters().Select(p => p.ParameterType switch
        {
            var t when t == typeof(byte[]) => new byte[] { 1 },
            var t when t == typeof(IReadOnlyList<MapOperation>) => new MapOperation[] { Tell.Instance },
            var t when t == typeof(long) => 1L,
            var t when t == typeof(int) => 1,
            var t when t == typeof(bool) => true,
            var t when t.IsEnum => Enum.GetValues(t).GetValue(0),
            _ => null,
        }).ToArray();
        return (MapOperation)constructor.Invoke(arguments);
    }
}
