using MmapActors.Protocol;

namespace MmapActors.Remote.Server;

/// <summary>What a session needs to know of an operation and its answer to keep its books: whether it resizes (and to
/// what), whether it closed the handle, and what the answer weighs on the wire. Batches are looked into, nested ones too.</summary>
internal static class SessionOperations
{
    /// <summary>The largest size any resize in <paramref name="operation"/> asks for, or null when it resizes nothing.</summary>
    public static long? LargestResize(MapOperation operation) => operation switch
    {
        Resize r => r.NewSize,
        Batch b => b.Operations.Select(LargestResize).Max(),
        _ => null,
    };

    /// <summary>What the resizes in <paramref name="operation"/> that answered Done left (a batch's, nested batches
    /// included), from one walk: the length of the last (the handle's length after the operation) and the largest (what
    /// the handle's length grew to at its longest, which is what the file grew by); both null when none succeeded.</summary>
    public static (long? Last, long? Largest) ResizesDone(MapOperation operation, MapReply reply)
    {
        long? last = null, largest = null;
        Walk(operation, reply, ref last, ref largest);
        return (last, largest);

        static void Walk(MapOperation operation, MapReply reply, ref long? last, ref long? largest)
        {
            switch (operation, reply)
            {
                case (Resize r, Done):
                    last = r.NewSize;
                    largest = Math.Max(r.NewSize, largest ?? long.MinValue);
                    break;
                case (Batch b, BatchReply br):
                    for (int i = 0; i < br.Results.Count && i < b.Operations.Count; i++)
                    {
                        Walk(b.Operations[i], br.Results[i], ref last, ref largest);
                    }
                    break;
            }
        }
    }

    /// <summary>Whether <paramref name="operation"/> closed the handle (a Close that succeeded, in a batch or not).</summary>
    public static bool Closes(MapOperation operation, MapReply reply) => (operation, reply) switch
    {
        (Close, Done) => true,
        (Batch b, BatchReply br) => Enumerable.Range(0, Math.Min(b.Operations.Count, br.Results.Count)).Any(i => Closes(b.Operations[i], br.Results[i])),
        _ => false,
    };

    /// <summary>The most bytes <paramref name="operation"/> can answer with, before it runs: what a read asks for, and
    /// <paramref name="unknown"/> (the range limit) for reads whose size only the file knows.</summary>
    public static long ReplyEstimate(MapOperation operation, long unknown) => operation switch
    {
        ReadAt r => Math.Max(0, r.Count),
        Read { Count: { } n } => Math.Clamp(n, 0, unknown),
        Read or GetSlice or ToBytes or ReadLine => unknown,
        Batch b => b.Operations.Sum(o => ReplyEstimate(o, unknown)),
        _ => 0,
    };

    /// <summary>Roughly what <paramref name="reply"/> takes on the wire (payload plus a small envelope).</summary>
    public static long WireSize(MapReply reply) => 64 + reply switch
    {
        BytesReply b => b.Data.Length,
        TextReply t => t.Value.Length * 3L,
        MmapError e => e.Message.Length * 3L,
        BatchReply b => b.Results.Sum(WireSize) + (b.Error is { } e ? WireSize(e) : 0),
        DirectoryListing l => l.Entries.Sum(e => 32L + e.Name.Length * 3L),
        _ => 0,
    };
}
