using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using MmapActors.Protocol;
using MmapActors.Remote.Server;

namespace MmapActors.Remote.Serialization;

/// <summary>
/// The wire form of every MmapActors message that crosses the network, written out by hand: fixed one-letter
/// manifests (never type names, so nothing a peer sends can name a type to load), explicit fields, every length and
/// count checked before allocation, batches nested at most <see cref="MaxBatchDepth"/> deep. It replaces Hyperion on
/// the wire (docs/remote.md says why). A byte reply's payload is its own wire form: no copy on either side.
/// </summary>
/// <remarks>
/// Requests (what a client sends a server) are never deserialized into their plain types: they arrive wrapped in
/// <see cref="FromPeer"/>, which only the server's door and the peer's session handle. A request that cannot be read
/// becomes an unreadable <see cref="FromPeer"/> rather than an exception, so it is answered with an error instead of
/// being dropped in silence. Messages that carry caller memory (<see cref="ReadAtInto"/>, <see cref="ReadInto"/>) and
/// internal ones (<see cref="FlushAndCloseAll"/>, <see cref="InjectFault"/>) have no wire form at all.
/// </remarks>
public sealed class MmapProtocolSerializer : SerializerWithStringManifest
{
    /// <summary>How deep batches may nest (a batch inside a batch is depth 2).</summary>
    public const int MaxBatchDepth = 4;

    /// <summary>Most operations (or results) in one batch.</summary>
    public const int MaxBatchCount = 65_536;

    /// <summary>Most entries in a listing or a stats reply.</summary>
    public const int MaxEntries = 1_000_000;

    // Requests: client -> server, always wrapped in FromPeer when read.
    private const string ConnectManifest = "C", DisconnectManifest = "X", CheckpointAckManifest = "K", OpenMapManifest = "O",
        CreateFileManifest = "F", ListDirectoryManifest = "L", GetStatsManifest = "S", MapRequestManifest = "R", OpenDataPlaneManifest = "P",
        StatFileManifest = "I", CommitFileManifest = "M";

    // Replies and notices: server -> client.
    private const string ConnectedManifest = "c", CheckpointManifest = "k", SessionClosedManifest = "x", MapOpenedManifest = "o",
        DoneManifest = "D", BytesManifest = "B", NumberManifest = "N", BooleanManifest = "b", TextManifest = "T", LeaseManifest = "l",
        BatchReplyManifest = "A", ErrorManifest = "E", ListingManifest = "d", StatsManifest = "s", TicketManifest = "t", FileStatusManifest = "f";

    private readonly bool _isServer;
    private readonly bool _trustsMembers;

    /// <summary>Created by Akka.NET's serialization extension.</summary>
    public MmapProtocolSerializer(ExtendedActorSystem system)
        : base(system)
    {
        // The member system of a cluster node (config/cluster.hocon) talks only to other members, which it trusts: requests
        // are read as themselves, with the client they name, and replies are read too. Never set on a client door.
        _trustsMembers = system.Settings.Config.GetBoolean("mmap.cluster.trusted-members", false);
        // A server (a node with a served root) never receives replies from the network: one that arrives is forged
        // (aimed, say, at an internal Ask), so it is read as an unreadable request, which no internal actor handles.
        _isServer = !_trustsMembers && system.Settings.Config.GetString("mmap.served-root", "") is { Length: > 0 };
    }

    /// <summary>Created by Akka.NET's serialization extension when the serializer has a configuration section.</summary>
    public MmapProtocolSerializer(ExtendedActorSystem system, Akka.Configuration.Config config)
        : this(system)
    {
    }

    /// <summary>Every request manifest (what a client sends a server), with the request's name for errors: a message
    /// under one of these is always read into a <see cref="FromPeer"/>.</summary>
    private static readonly Dictionary<string, string> RequestNames = new(StringComparer.Ordinal)
    {
        [ConnectManifest] = nameof(Connect),
        [DisconnectManifest] = nameof(Disconnect),
        [CheckpointAckManifest] = nameof(CheckpointAck),
        [OpenMapManifest] = nameof(OpenMap),
        [CreateFileManifest] = nameof(CreateFile),
        [ListDirectoryManifest] = nameof(ListDirectory),
        [GetStatsManifest] = nameof(GetStats),
        [MapRequestManifest] = nameof(MapRequest),
        [OpenDataPlaneManifest] = nameof(OpenDataPlane),
        [StatFileManifest] = nameof(StatFile),
        [CommitFileManifest] = nameof(CommitFile),
    };

    /// <inheritdoc />
    public override int Identifier => 4171;

    /// <inheritdoc />
    public override string Manifest(object o) => o switch
    {
        Connect => ConnectManifest,
        Disconnect => DisconnectManifest,
        CheckpointAck => CheckpointAckManifest,
        OpenMap => OpenMapManifest,
        CreateFile => CreateFileManifest,
        ListDirectory => ListDirectoryManifest,
        GetStats => GetStatsManifest,
        MapRequest => MapRequestManifest,
        OpenDataPlane => OpenDataPlaneManifest,
        StatFile => StatFileManifest,
        CommitFile => CommitFileManifest,
        FileStatus => FileStatusManifest,
        Connected => ConnectedManifest,
        DataPlaneTicket => TicketManifest,
        Checkpoint => CheckpointManifest,
        SessionClosed => SessionClosedManifest,
        MapOpened => MapOpenedManifest,
        Done => DoneManifest,
        BytesReply => BytesManifest,
        NumberReply => NumberManifest,
        BooleanReply => BooleanManifest,
        TextReply => TextManifest,
        LeaseReply => LeaseManifest,
        BatchReply => BatchReplyManifest,
        MmapError => ErrorManifest,
        DirectoryListing => ListingManifest,
        MmapStats => StatsManifest,
        _ => throw NotOnTheWire(o),
    };

    /// <inheritdoc />
    public override byte[] ToBinary(object obj)
    {
        switch (obj)
        {
            case BytesReply bytes:
                return bytes.Data; // the payload is the wire form
            case Done or Disconnect or GetStats:
                return [];
            case MapRequest { Operation: WriteAt write } request:
            {
                // The hot write path: the data runs to the end of the message, with no length prefix to check, and is
                // copied once, straight into the message's array.
                var buffer = new byte[17 + write.Data.Length];
                System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(buffer, request.HandleId);
                buffer[8] = OperationCodec.WriteAtTag;
                System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(buffer.AsSpan(9), write.Offset);
                write.Data.CopyTo(buffer, 17);
                return buffer;
            }
        }
        var writer = new ProtocolWriter();
        switch (obj)
        {
            case MapRequest request:
                writer.Int64(request.HandleId);
                OperationCodec.Write(writer, request.Operation, depth: 1);
                break;
            case Connect connect:
                writer.ActorRef(connect.Client);
                writer.Int32(connect.ProtocolVersion);
                break;
            case CheckpointAck ack:
                writer.Int64(ack.Sequence);
                break;
            case OpenMap open:
                WriteOptions(writer, open.Options);
                writer.ActorRef(open.Client);
                break;
            case CreateFile create:
                writer.String(create.Path);
                writer.Int64(create.Length);
                break;
            case ListDirectory list:
                writer.String(list.Path);
                break;
            case Connected connected:
                writer.ActorRef(connected.Session);
                writer.Int64(connected.CheckpointInterval.Ticks);
                break;
            case Checkpoint checkpoint:
                writer.Int64(checkpoint.Sequence);
                break;
            case SessionClosed closed:
                writer.String(closed.Reason);
                break;
            case OpenDataPlane open:
                writer.String(open.Path);
                writer.Int64(open.Offset);
                writer.Int64(open.Length);
                writer.Bool(open.Write);
                break;
            case StatFile stat:
                writer.String(stat.Path);
                break;
            case CommitFile commit:
                writer.String(commit.TemporaryPath);
                writer.String(commit.Path);
                writer.Bool(commit.Discard);
                break;
            case FileStatus status:
                writer.Int64(status.Size);
                writer.String(status.Kind);
                if (status.Owner is not null)
                {
                    writer.String(status.Owner); // only from a cluster node: a reader of the two fields alone stops before it
                }
                break;
            case DataPlaneTicket ticket:
                writer.String(ticket.BaseUrl.ToString());
                writer.String(ticket.Ticket);
                writer.Int64(ticket.Expires.ToUnixTimeMilliseconds());
                break;
            case MapOpened opened:
                writer.ActorRef(opened.Owner);
                writer.Int64(opened.HandleId);
                writer.String(opened.Key);
                writer.Int32((int)opened.Access);
                writer.Int64(opened.Length);
                writer.Bool(opened.IsPrivate);
                break;
            case MapReply reply:
                ReplyCodec.WriteBody(writer, reply, depth: 1);
                break;
            case MmapStats stats:
                writer.Int32(stats.Files.Count);
                foreach (var file in stats.Files)
                {
                    writer.String(file.Key);
                    writer.Int32(file.Handles);
                    writer.Int64(file.BytesMapped);
                    writer.Int32(file.HandlesPerClient.Count);
                    foreach (var (client, count) in file.HandlesPerClient)
                    {
                        writer.String(client);
                        writer.Int32(count);
                    }
                }
                break;
            default:
                throw NotOnTheWire(obj);
        }
        return writer.ToArray();
    }

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest)
    {
        switch (manifest)
        {
            case var _ when _trustsMembers && RequestNames.ContainsKey(manifest):
                try
                {
                    return ReadRequest(bytes, manifest);
                }
                catch (ProtocolViolationException e)
                {
                    // Transient for Akka.NET: the message is dropped and logged, the association stays up.
                    throw new SerializationException($"malformed {RequestNames[manifest]} from a cluster member: {e.Message}", e);
                }
            case var _ when RequestNames.ContainsKey(manifest):
                try
                {
                    return new FromPeer(ReadRequest(bytes, manifest), null, bytes.Length);
                }
                catch (ProtocolViolationException e)
                {
                    return FromPeer.Unreadable($"malformed {RequestNames[manifest]}: {e.Message}", bytes.Length);
                }
            case var _ when _isServer:
                return FromPeer.Unreadable($"a server accepts requests only, not '{manifest}'", bytes.Length);
            case BytesManifest:
                return new BytesReply(bytes);
            default:
                try
                {
                    return ReadReplyOrNotice(bytes, manifest);
                }
                catch (ProtocolViolationException e)
                {
                    // A reply this client cannot read still completes the call, with an error that says so.
                    return new MmapError(MmapErrorKind.OSError, $"[Errno 71] Protocol error: unreadable reply from the server ({e.Message})", 71);
                }
        }
    }

    private IMmapMessage ReadRequest(byte[] bytes, string manifest)
    {
        var r = new ProtocolReader(bytes);
        IMmapMessage message = manifest switch
        {
            MapRequestManifest => ReadMapRequest(ref r),
            ConnectManifest => new Connect(ReadActorRef(ref r), r.Int32()),
            DisconnectManifest => Disconnect.Instance,
            CheckpointAckManifest => new CheckpointAck(r.Int64()),
            // A client ref named in a request is never trusted: the session is the client of every handle it opens.
            OpenMapManifest => new OpenMap(ReadOptions(ref r), _trustsMembers ? ReadActorRef(ref r) : SkipActorRef(ref r)),
            CreateFileManifest => new CreateFile(r.String(), r.Int64()),
            ListDirectoryManifest => new ListDirectory(r.String()),
            GetStatsManifest => GetStats.Instance,
            OpenDataPlaneManifest => new OpenDataPlane(r.String(), r.Int64(), r.Int64(), r.Bool()),
            StatFileManifest => new StatFile(r.String()),
            CommitFileManifest => new CommitFile(r.String(), r.String(), r.Bool()),
            _ => throw new ProtocolViolationException($"unknown request '{manifest}'"),
        };
        r.End();
        return message;
    }

    private static MapRequest ReadMapRequest(ref ProtocolReader r)
    {
        long handle = r.Int64();
        if (r.Remaining > 0 && PeekWriteAt(ref r))
        {
            return new MapRequest(handle, new WriteAt(r.Int64(), r.Rest()));
        }
        return new MapRequest(handle, OperationCodec.Read(ref r, depth: 1));
    }

    private static bool PeekWriteAt(ref ProtocolReader r)
    {
        var copy = r;
        if (copy.Byte() != OperationCodec.WriteAtTag)
        {
            return false;
        }
        r.Byte();
        return true;
    }

    private object ReadReplyOrNotice(byte[] bytes, string manifest)
    {
        var r = new ProtocolReader(bytes);
        object message = manifest switch
        {
            ConnectedManifest => new Connected(ReadActorRef(ref r), ReadInterval(ref r)),
            CheckpointManifest => new Checkpoint(r.Int64()),
            SessionClosedManifest => new SessionClosed(r.String()),
            MapOpenedManifest => ReadMapOpened(ref r),
            FileStatusManifest => new FileStatus(r.Int64(), r.String()) { Owner = r.Remaining > 0 ? r.String() : null },
            TicketManifest => new DataPlaneTicket(ReadUrl(ref r), r.String(), DateTimeOffset.FromUnixTimeMilliseconds(r.Int64())),
            StatsManifest => ReadStats(ref r),
            DoneManifest or NumberManifest or BooleanManifest or TextManifest or LeaseManifest or BatchReplyManifest or ErrorManifest
                or ListingManifest => ReplyCodec.ReadBody(ref r, ReplyCodec.TagOf(manifest), depth: 1),
            _ => throw new ProtocolViolationException($"unknown message '{manifest}'"),
        };
        r.End();
        return message;
    }

    private MapOpened ReadMapOpened(ref ProtocolReader r) =>
        new(ReadActorRef(ref r), r.Int64(), r.String(), (MmapAccess)r.Int32()) { Length = r.Int64(), IsPrivate = r.Bool() };

    private static MmapStats ReadStats(ref ProtocolReader r)
    {
        int count = r.Count(4 + 4 + 8 + 4, MaxEntries, "stats");
        var files = new FileStats[count];
        for (int i = 0; i < count; i++)
        {
            string key = r.String();
            int handles = r.Int32();
            long mapped = r.Int64();
            int clients = r.Count(4 + 4, MaxEntries, "clients");
            var perClient = new Dictionary<string, int>(clients, StringComparer.Ordinal);
            for (int j = 0; j < clients; j++)
            {
                perClient[r.String()] = r.Int32();
            }
            files[i] = new FileStats(key, handles, mapped, perClient);
        }
        return new MmapStats(files);
    }

    private static Uri ReadUrl(ref ProtocolReader r) =>
        Uri.TryCreate(r.String(), UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            ? url
            : throw new ProtocolViolationException("a data plane URL must be absolute http or https");

    private static TimeSpan ReadInterval(ref ProtocolReader r)
    {
        long ticks = r.Int64();
        return ticks > 0 ? TimeSpan.FromTicks(ticks) : throw new ProtocolViolationException($"checkpoint interval of {ticks} ticks");
    }

    private IActorRef ReadActorRef(ref ProtocolReader r)
    {
        string path = r.String();
        return system.Provider.ResolveActorRef(path);
    }

    private static IActorRef SkipActorRef(ref ProtocolReader r)
    {
        r.String();
        return ActorRefs.Nobody;
    }

    private static void WriteOptions(ProtocolWriter w, MapOptions o)
    {
        w.OptionalString(o.Path);
        w.Int64(o.Length);
        w.Int32((int)o.Access);
        w.Int64(o.Offset);
        w.OptionalInt32((int?)o.Flags);
        w.OptionalInt32((int?)o.Protection);
        w.Bool(o.TrackFd);
        w.OptionalBool(o.ReadOnlyFile);
    }

    private static MapOptions ReadOptions(ref ProtocolReader r) =>
        new(r.OptionalString(), r.Int64(), (MmapAccess)r.Int32(), r.Int64(), (MapFlags?)r.OptionalInt32(), (MapProtection?)r.OptionalInt32(),
            r.Bool(), r.OptionalBool());

    private static SerializationException NotOnTheWire(object? o) =>
        new($"{o?.GetType().FullName ?? "null"} does not cross the network: it is local-only or internal to MmapActors");
}
