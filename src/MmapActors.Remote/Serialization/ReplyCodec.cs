using MmapActors.Protocol;

namespace MmapActors.Remote.Serialization;

/// <summary>The wire form of each <see cref="MapReply"/>: at the top of a message its manifest says which reply it is;
/// inside a <see cref="BatchReply"/> a one-byte tag does.</summary>
internal static class ReplyCodec
{
    private const byte DoneTag = 1, BytesTag = 2, NumberTag = 3, BooleanTag = 4, TextTag = 5, LeaseTag = 6, BatchTag = 7, ErrorTag = 8,
        ListingTag = 9;

    /// <summary>The tag of a top-level reply's manifest (they are the serializer's manifests of the same replies).</summary>
    public static byte TagOf(string manifest) => manifest switch
    {
        "D" => DoneTag,
        "N" => NumberTag,
        "b" => BooleanTag,
        "T" => TextTag,
        "l" => LeaseTag,
        "A" => BatchTag,
        "E" => ErrorTag,
        "d" => ListingTag,
        _ => throw new ProtocolViolationException($"'{manifest}' is not a reply"),
    };

    /// <summary>Writes a reply's fields (its kind is the manifest, or the tag written by <see cref="WriteTagged"/>).</summary>
    public static void WriteBody(ProtocolWriter w, MapReply reply, int depth)
    {
        switch (reply)
        {
            case Done: break;
            case BytesReply o: w.Bytes(o.Data); break;
            case NumberReply o: w.Int64(o.Value); break;
            case BooleanReply o: w.Bool(o.Value); break;
            case TextReply o: w.String(o.Value); break;
            case LeaseReply o: w.Bool(o.ReadOnly); w.Int64(o.Bytes); break;
            case MmapError o: WriteError(w, o); break;
            case DirectoryListing o:
                w.Int32(o.Entries.Count);
                foreach (var e in o.Entries)
                {
                    w.String(e.Name);
                    w.Int64(e.Size);
                    w.String(e.Kind);
                }
                break;
            case BatchReply o:
                if (depth > MmapProtocolSerializer.MaxBatchDepth)
                {
                    throw new System.Runtime.Serialization.SerializationException("batch replies nest too deep for the wire");
                }
                w.Int32(o.Results.Count);
                foreach (var result in o.Results)
                {
                    WriteTagged(w, result, depth + 1);
                }
                w.Int32(o.FailedIndex);
                w.Bool(o.Error is not null);
                if (o.Error is { } error)
                {
                    WriteError(w, error);
                }
                break;
            default:
                throw new System.Runtime.Serialization.SerializationException($"{reply.GetType().Name} does not cross the network");
        }
    }

    public static MapReply ReadBody(ref ProtocolReader r, byte tag, int depth) => tag switch
    {
        DoneTag => Done.Instance,
        BytesTag => new BytesReply(r.Bytes()),
        NumberTag => new NumberReply(r.Int64()),
        BooleanTag => new BooleanReply(r.Bool()),
        TextTag => new TextReply(r.String()),
        LeaseTag => new LeaseReply(r.Bool(), r.Int64()),
        ErrorTag => ReadError(ref r),
        ListingTag => ReadListing(ref r),
        BatchTag => ReadBatch(ref r, depth),
        _ => throw new ProtocolViolationException($"unknown reply tag {tag}"),
    };

    private static void WriteTagged(ProtocolWriter w, MapReply reply, int depth)
    {
        w.Byte(reply switch
        {
            Done => DoneTag,
            BytesReply => BytesTag,
            NumberReply => NumberTag,
            BooleanReply => BooleanTag,
            TextReply => TextTag,
            LeaseReply => LeaseTag,
            MmapError => ErrorTag,
            DirectoryListing => ListingTag,
            BatchReply => BatchTag,
            _ => throw new System.Runtime.Serialization.SerializationException($"{reply.GetType().Name} does not cross the network"),
        });
        WriteBody(w, reply, depth);
    }

    private static BatchReply ReadBatch(ref ProtocolReader r, int depth)
    {
        if (depth >= MmapProtocolSerializer.MaxBatchDepth)
        {
            throw new ProtocolViolationException("batch replies nest too deep");
        }
        int count = r.Count(minimumItemBytes: 1, MmapProtocolSerializer.MaxBatchCount, "batch reply");
        var results = new MapReply[count];
        for (int i = 0; i < count; i++)
        {
            results[i] = ReadBody(ref r, r.Byte(), depth + 1);
        }
        int failed = r.Int32();
        var error = r.Bool() ? ReadError(ref r) : null;
        return new BatchReply(results, failed, error);
    }

    private static void WriteError(ProtocolWriter w, MmapError error)
    {
        w.Int32((int)error.Kind);
        w.String(error.Message);
        w.OptionalInt32(error.Errno);
        w.Int32((int)error.Code);
    }

    private static MmapError ReadError(ref ProtocolReader r) =>
        new((MmapErrorKind)r.Int32(), r.String(), r.OptionalInt32()) { Code = (MmapErrorCode)r.Int32() };

    private static DirectoryListing ReadListing(ref ProtocolReader r)
    {
        int count = r.Count(4 + 8 + 4, MmapProtocolSerializer.MaxEntries, "listing");
        var entries = new DirectoryEntry[count];
        for (int i = 0; i < count; i++)
        {
            entries[i] = new DirectoryEntry(r.String(), r.Int64(), r.String());
        }
        return new DirectoryListing(entries);
    }
}
