using MmapActors.Protocol;

namespace MmapActors.Remote.Serialization;

/// <summary>
/// The wire form of each <see cref="MapOperation"/>: a one-byte tag and its fields. Every operation a remote client may
/// send is listed here once, each with its tag; <see cref="LocalOnly"/> names those that never cross the network. A test
/// fails for any operation type that is in neither list, so a new operation cannot be half-wired.
/// </summary>
internal static class OperationCodec
{
    public const byte ReadAtTag = 1, WriteAtTag = 2;
    private const byte ReadTag = 3, ReadByteTag = 4, ReadLineTag = 5, WriteTag = 6, WriteByteTag = 7, SeekTag = 8, TellTag = 9,
        FindTag = 10, FlushTag = 11, MadviseTag = 12, MoveTag = 13, ResizeTag = 14, SizeTag = 15, LengthTag = 16, GetItemTag = 17,
        SetItemTag = 18, GetSliceTag = 19, SetSliceTag = 20, DeleteItemTag = 21, DeleteSliceTag = 22, ContainsTag = 23, ToBytesTag = 24,
        ReprTag = 25, IsClosedTag = 26, CloseTag = 27, AcquireLeaseTag = 28, ReleaseLeaseTag = 29, CompareAndSwapTag = 30, BatchTag = 31;

    /// <summary>Operations that only ever go to an owner in the same process: those that carry caller memory or a token,
    /// and <see cref="GrowTo"/>, which no session counts against <c>max-growth-bytes</c> (its doc says why).</summary>
    public static IReadOnlyList<Type> LocalOnly { get; } = [typeof(ReadAtInto), typeof(ReadInto), typeof(GrowTo)];

    /// <summary>Writes <paramref name="operation"/>; <paramref name="depth"/> is 1 for the operation of a request.</summary>
    public static void Write(ProtocolWriter w, MapOperation operation, int depth)
    {
        switch (operation)
        {
            case ReadAt o: w.Byte(ReadAtTag); w.Int64(o.Offset); w.Int32(o.Count); break;
            case WriteAt o: w.Byte(WriteAtTag); w.Int64(o.Offset); w.Bytes(o.Data); break;
            case Read o: w.Byte(ReadTag); w.OptionalInt64(o.Count); break;
            case ReadByte: w.Byte(ReadByteTag); break;
            case ReadLine: w.Byte(ReadLineTag); break;
            case Write o: w.Byte(WriteTag); w.Bytes(o.Data); break;
            case WriteByte o: w.Byte(WriteByteTag); w.Int32(o.Value); break;
            case Seek o: w.Byte(SeekTag); w.Int64(o.Position); w.Int32((int)o.Whence); break;
            case Tell: w.Byte(TellTag); break;
            case Find o: w.Byte(FindTag); w.Bytes(o.Sub); w.OptionalInt64(o.Start); w.OptionalInt64(o.End); w.Bool(o.Reverse); break;
            case Flush o: w.Byte(FlushTag); w.OptionalInt64(o.Offset); w.OptionalInt64(o.Size); break;
            case Madvise o: w.Byte(MadviseTag); w.Int32((int)o.Option); w.OptionalInt64(o.Start); w.OptionalInt64(o.Length); break;
            case Move o: w.Byte(MoveTag); w.Int64(o.Destination); w.Int64(o.Source); w.Int64(o.Count); break;
            case Resize o: w.Byte(ResizeTag); w.Int64(o.NewSize); break;
            case Size: w.Byte(SizeTag); break;
            case Length: w.Byte(LengthTag); break;
            case GetItem o: w.Byte(GetItemTag); w.Int64(o.Index); break;
            case SetItem o: w.Byte(SetItemTag); w.Int64(o.Index); w.Int32(o.Value); break;
            case GetSlice o: w.Byte(GetSliceTag); w.OptionalInt64(o.Start); w.OptionalInt64(o.Stop); w.OptionalInt64(o.Step); break;
            case SetSlice o:
                w.Byte(SetSliceTag); w.OptionalInt64(o.Start); w.OptionalInt64(o.Stop); w.OptionalInt64(o.Step); w.Bytes(o.Value);
                break;
            case DeleteItem o: w.Byte(DeleteItemTag); w.Int64(o.Index); break;
            case DeleteSlice o: w.Byte(DeleteSliceTag); w.OptionalInt64(o.Start); w.OptionalInt64(o.Stop); w.OptionalInt64(o.Step); break;
            case Contains o: w.Byte(ContainsTag); w.Bytes(o.Item); break;
            case ToBytes: w.Byte(ToBytesTag); break;
            case Repr: w.Byte(ReprTag); break;
            case IsClosed: w.Byte(IsClosedTag); break;
            case Close: w.Byte(CloseTag); break;
            case AcquireLease: w.Byte(AcquireLeaseTag); break;
            case ReleaseLease: w.Byte(ReleaseLeaseTag); break;
            case CompareAndSwap o: w.Byte(CompareAndSwapTag); w.Int64(o.Offset); w.Bytes(o.Expected); w.Bytes(o.Replacement); break;
            case Batch o:
                if (depth > MmapProtocolSerializer.MaxBatchDepth)
                {
                    throw new System.Runtime.Serialization.SerializationException(
                        $"batches nest at most {MmapProtocolSerializer.MaxBatchDepth} deep on the wire");
                }
                w.Byte(BatchTag);
                w.Int32(o.Operations.Count);
                foreach (var inner in o.Operations)
                {
                    Write(w, inner, depth + 1);
                }
                break;
            default:
                throw new System.Runtime.Serialization.SerializationException(
                    $"{operation?.GetType().Name ?? "null"} does not cross the network (it carries caller memory, or has no wire form)");
        }
    }

    /// <summary>Reads one operation; nesting deeper than <see cref="MmapProtocolSerializer.MaxBatchDepth"/> is refused
    /// before it is read, so a deep batch cannot exhaust the stack.</summary>
    public static MapOperation Read(ref ProtocolReader r, int depth)
    {
        byte tag = r.Byte();
        return tag switch
        {
            ReadAtTag => new ReadAt(r.Int64(), r.Int32()),
            WriteAtTag => new WriteAt(r.Int64(), r.Bytes()),
            ReadTag => new Read(r.OptionalInt64()),
            ReadByteTag => ReadByte.Instance,
            ReadLineTag => ReadLine.Instance,
            WriteTag => new Write(r.Bytes()),
            WriteByteTag => new WriteByte(r.Int32()),
            SeekTag => new Seek(r.Int64(), (SeekOrigin)r.Int32()),
            TellTag => Tell.Instance,
            FindTag => new Find(r.Bytes(), r.OptionalInt64(), r.OptionalInt64(), r.Bool()),
            FlushTag => new Flush(r.OptionalInt64(), r.OptionalInt64()),
            MadviseTag => new Madvise((MadviseOption)r.Int32(), r.OptionalInt64(), r.OptionalInt64()),
            MoveTag => new Move(r.Int64(), r.Int64(), r.Int64()),
            ResizeTag => new Resize(r.Int64()),
            SizeTag => Size.Instance,
            LengthTag => Length.Instance,
            GetItemTag => new GetItem(r.Int64()),
            SetItemTag => new SetItem(r.Int64(), r.Int32()),
            GetSliceTag => new GetSlice(r.OptionalInt64(), r.OptionalInt64(), r.OptionalInt64()),
            SetSliceTag => new SetSlice(r.OptionalInt64(), r.OptionalInt64(), r.OptionalInt64(), r.Bytes()),
            DeleteItemTag => new DeleteItem(r.Int64()),
            DeleteSliceTag => new DeleteSlice(r.OptionalInt64(), r.OptionalInt64(), r.OptionalInt64()),
            ContainsTag => new Contains(r.Bytes()),
            ToBytesTag => ToBytes.Instance,
            ReprTag => Repr.Instance,
            IsClosedTag => IsClosed.Instance,
            CloseTag => Close.Instance,
            AcquireLeaseTag => AcquireLease.Instance,
            ReleaseLeaseTag => ReleaseLease.Instance,
            CompareAndSwapTag => new CompareAndSwap(r.Int64(), r.Bytes(), r.Bytes()),
            BatchTag => ReadBatch(ref r, depth),
            _ => throw new ProtocolViolationException($"unknown operation tag {tag}"),
        };
    }

    private static Batch ReadBatch(ref ProtocolReader r, int depth)
    {
        if (depth >= MmapProtocolSerializer.MaxBatchDepth)
        {
            throw new ProtocolViolationException($"batches nest at most {MmapProtocolSerializer.MaxBatchDepth} deep");
        }
        int count = r.Count(minimumItemBytes: 1, MmapProtocolSerializer.MaxBatchCount, "batch");
        var operations = new MapOperation[count];
        for (int i = 0; i < count; i++)
        {
            operations[i] = Read(ref r, depth + 1);
        }
        return new Batch(operations);
    }
}
