using Akka.Actor;

// The whole message protocol of MmapActors, in one file as Akka.NET's IO layers do: small immutable records,
// grouped by who receives them. Every message that may cross the network implements IMmapMessage, the marker
// the serializer is bound to. Messages whose names end in "Into" carry caller memory and are local-only, as is the
// internal GrowTo (its doc says why).
namespace MmapActors.Protocol;

/// <summary>Marker for every MmapActors message; serialization is bound to this interface, never to <see cref="object"/>.</summary>
public interface IMmapMessage;

// ---------------------------------------------------------------------------------------------------------
// Opening: sent to the supervisor (MmapActors.Actors.MmapSupervisor, at /user/mmap).
// ---------------------------------------------------------------------------------------------------------

/// <summary>What to map and how; the fields are Python's constructor arguments.</summary>
/// <param name="Path">The file, or <see langword="null"/> for anonymous memory.</param>
/// <param name="Length">Bytes to map; 0 maps a file from <paramref name="Offset"/> to its end.</param>
/// <param name="Access">The access mode (Python's <c>access=</c>).</param>
/// <param name="Offset">Where the map starts in the file; a multiple of the page size.</param>
/// <param name="Flags">Python's <c>flags=</c>, or <see langword="null"/> for the default (MAP_SHARED).</param>
/// <param name="Protection">Python's <c>prot=</c>, or <see langword="null"/> for the default (read and write).</param>
/// <param name="TrackFd">Python's <c>trackfd=</c>.</param>
/// <param name="ReadOnlyFile">Open the file read-only (Python's <c>open(path, "rb")</c>). <see langword="null"/>:
/// read-only for Read and Copy access and for a protection without write, read/write otherwise.</param>
public sealed record MapOptions(
    string? Path,
    long Length = 0,
    MmapAccess Access = MmapAccess.Default,
    long Offset = 0,
    MapFlags? Flags = null,
    MapProtection? Protection = null,
    bool TrackFd = true,
    bool? ReadOnlyFile = null) : IMmapMessage
{
    /// <summary>Anonymous memory of <paramref name="length"/> bytes.</summary>
    public static MapOptions Anonymous(long length, MmapAccess access = MmapAccess.Default) => new(null, length, access);

    /// <summary>Whether the file should be opened read-only.</summary>
    internal bool OpensReadOnly => ReadOnlyFile ?? (Access is MmapAccess.Read or MmapAccess.Copy ||
                                                     (Protection is { } p && (p & MapProtection.Write) == 0));
}

/// <summary>Opens a handle. The supervisor watches <paramref name="Client"/> and releases its handles when it dies.</summary>
/// <param name="Options">What to map.</param>
/// <param name="Client">The actor whose lifetime bounds the handle (a client session, or a TestProbe).</param>
public sealed record OpenMap(MapOptions Options, IActorRef Client) : IMmapMessage;

/// <summary>Reply to <see cref="OpenMap"/>: a handle on a file's owner actor.</summary>
/// <param name="Owner">The actor that owns the file; send it <see cref="MapRequest"/>s.</param>
/// <param name="HandleId">The handle's id within the owner.</param>
/// <param name="Key">The file's canonical path, or <c>anonymous:N</c>.</param>
/// <param name="Access">The handle's effective access mode.</param>
public sealed record MapOpened(IActorRef Owner, long HandleId, string Key, MmapAccess Access) : IMmapMessage
{
    /// <summary>The map's length when it was opened (a server's session counts it against the peer's budgets).</summary>
    public long Length { get; init; }

    /// <summary>Whether the map's pages are private to it (anonymous memory, or copy-on-write): they cost the server
    /// memory rather than page cache.</summary>
    public bool IsPrivate { get; init; }

    /// <summary>The file's turn, for an in-process client to run short data operations inline when the owner is idle
    /// (<see cref="Owner.FileTurn"/>). Set only by a local owner; never serialized, so remote clients and sessions
    /// always use the mailbox.</summary>
    internal Owner.FileTurn? Turn { get; init; }
}

/// <summary>Creates a new file of <paramref name="Length"/> zero bytes (it must not exist), beneath the served root when
/// there is one; lengths above <c>mmap.limits.max-file-size</c> are refused. Python's mmap never creates files; this is
/// what a client needs before it can map a new one. Reply: <see cref="Done"/> or <see cref="MmapError"/>
/// (<c>FileExistsError</c> when it exists).</summary>
public sealed record CreateFile(string Path, long Length) : IMmapMessage;

/// <summary>Lists a directory beneath the served root (only when the supervisor serves one). Reply:
/// <see cref="DirectoryListing"/> or <see cref="MmapError"/>.</summary>
public sealed record ListDirectory(string Path) : IMmapMessage;

/// <summary>One entry of a <see cref="DirectoryListing"/>.</summary>
/// <param name="Name">The entry's name.</param>
/// <param name="Size">Its size in bytes (0 for directories and links).</param>
/// <param name="Kind"><c>file</c>, <c>directory</c> or <c>link</c> (links are not followed).</param>
public sealed record DirectoryEntry(string Name, long Size, string Kind) : IMmapMessage;

/// <summary>Reply to <see cref="ListDirectory"/>.</summary>
public sealed record DirectoryListing(IReadOnlyList<DirectoryEntry> Entries) : MapReply;

/// <summary>Asks the supervisor for its <see cref="MmapStats"/>.</summary>
public sealed record GetStats : IMmapMessage
{
    /// <summary>The single instance.</summary>
    public static GetStats Instance { get; } = new();
}

/// <summary>One open file (or anonymous map) as the supervisor sees it.</summary>
/// <param name="Key">The canonical path or <c>anonymous:N</c>.</param>
/// <param name="Handles">Open handles.</param>
/// <param name="BytesMapped">Sum of the handles' map lengths.</param>
/// <param name="HandlesPerClient">Open handles per client actor path.</param>
public sealed record FileStats(string Key, int Handles, long BytesMapped, IReadOnlyDictionary<string, int> HandlesPerClient) : IMmapMessage;

/// <summary>Reply to <see cref="GetStats"/>.</summary>
public sealed record MmapStats(IReadOnlyList<FileStats> Files) : IMmapMessage
{
    /// <summary>Open files and anonymous maps.</summary>
    public int OpenFiles => Files.Count;

    /// <summary>Open handles over every file.</summary>
    public int OpenHandles => Files.Sum(f => f.Handles);

    /// <summary>Bytes mapped over every file.</summary>
    public long BytesMapped => Files.Sum(f => f.BytesMapped);
}

/// <summary>Flushes and closes every map; the supervisor sends it to each owner at shutdown. Reply: <see cref="Done"/>.</summary>
public sealed record FlushAndCloseAll : IMmapMessage
{
    /// <summary>The single instance.</summary>
    public static FlushAndCloseAll Instance { get; } = new();
}

// ---------------------------------------------------------------------------------------------------------
// Operations: sent to an owner inside a MapRequest. Each names its Python equivalent and its reply.
// ---------------------------------------------------------------------------------------------------------

/// <summary>One operation on a handle, sent to the file's owner. Reply: a <see cref="MapReply"/>.</summary>
/// <param name="HandleId">The handle from <see cref="MapOpened"/>.</param>
/// <param name="Operation">What to do.</param>
public sealed record MapRequest(long HandleId, MapOperation Operation) : IMmapMessage;

/// <summary>Base of every operation on a handle.</summary>
public abstract partial record MapOperation : IMmapMessage;

/// <summary><c>read(n)</c> (null: to the end). Reply: <see cref="BytesReply"/>.</summary>
public sealed partial record Read(long? Count = null) : MapOperation;

/// <summary><c>read_byte()</c>. Reply: <see cref="NumberReply"/>.</summary>
public sealed partial record ReadByte : MapOperation { /** <summary>The single instance.</summary> */ public static ReadByte Instance { get; } = new(); }

/// <summary><c>readline()</c>. Reply: <see cref="BytesReply"/>.</summary>
public sealed partial record ReadLine : MapOperation { /** <summary>The single instance.</summary> */ public static ReadLine Instance { get; } = new(); }

/// <summary><c>write(data)</c>. Reply: <see cref="NumberReply"/> (bytes written).</summary>
public sealed partial record Write(byte[] Data) : MapOperation;

/// <summary><c>write_byte(value)</c>. Reply: <see cref="Done"/>.</summary>
public sealed partial record WriteByte(int Value) : MapOperation;

/// <summary><c>seek(pos, whence)</c>. Reply: <see cref="NumberReply"/> (the new position).</summary>
public sealed partial record Seek(long Position, SeekOrigin Whence = SeekOrigin.Begin) : MapOperation;

/// <summary><c>tell()</c>. Reply: <see cref="NumberReply"/>.</summary>
public sealed partial record Tell : MapOperation { /** <summary>The single instance.</summary> */ public static Tell Instance { get; } = new(); }

/// <summary><c>find(sub, start, end)</c>, or <c>rfind</c> when <paramref name="Reverse"/>; a null start means the cursor.
/// Reply: <see cref="NumberReply"/>.</summary>
public sealed partial record Find(byte[] Sub, long? Start = null, long? End = null, bool Reverse = false) : MapOperation;

/// <summary><c>flush(offset, size)</c> (nulls: Python's defaults). Reply: <see cref="Done"/>.</summary>
public sealed partial record Flush(long? Offset = null, long? Size = null) : MapOperation;

/// <summary><c>madvise(option, start, length)</c>. Reply: <see cref="Done"/>.</summary>
public sealed partial record Madvise(MadviseOption Option, long? Start = null, long? Length = null) : MapOperation;

/// <summary><c>move(dest, src, count)</c>. Reply: <see cref="Done"/>.</summary>
public sealed partial record Move(long Destination, long Source, long Count) : MapOperation;

/// <summary><c>resize(newsize)</c>; every handle on the file sees the new length. Reply: <see cref="Done"/>.</summary>
public sealed partial record Resize(long NewSize) : MapOperation;

/// <summary>
/// Local only and internal: grows the file through this handle so that the handle maps at least
/// <paramref name="Length"/> bytes, in one owner turn, and never makes the file shorter. When the handle already maps
/// that much it changes nothing; otherwise it is a <see cref="Resize"/> (same checks, same errors: max-file-size,
/// min-free-disk, the handle's leases, read-only maps) to <paramref name="Length"/>, or to the file's current length
/// when another handle has already made the file longer still. Concurrent growing writers (the HTTP data plane's range
/// <c>PUT</c>s) use it instead of <see cref="Resize"/>, which would cut a longer file back to their own end.
/// Reply: <see cref="NumberReply"/> (the handle's length after it).
/// </summary>
/// <remarks>It has no wire form on purpose: its only caller is the data plane, in the owner's process, and a remote
/// session would first have to count its growth against <c>max-growth-bytes</c> as it does a <see cref="Resize"/>'s
/// (the answer, not the request, says how far the file grew).</remarks>
internal sealed partial record GrowTo(long Length) : MapOperation;

/// <summary><c>size()</c>: the file's size. Reply: <see cref="NumberReply"/>.</summary>
public sealed partial record Size : MapOperation { /** <summary>The single instance.</summary> */ public static Size Instance { get; } = new(); }

/// <summary><c>len(m)</c>. Reply: <see cref="NumberReply"/>.</summary>
public sealed partial record Length : MapOperation { /** <summary>The single instance.</summary> */ public static Length Instance { get; } = new(); }

/// <summary><c>m[index]</c>. Reply: <see cref="NumberReply"/>.</summary>
public sealed partial record GetItem(long Index) : MapOperation;

/// <summary><c>m[index] = value</c>. Reply: <see cref="Done"/>.</summary>
public sealed partial record SetItem(long Index, int Value) : MapOperation;

/// <summary><c>m[start:stop:step]</c>. Reply: <see cref="BytesReply"/>.</summary>
public sealed partial record GetSlice(long? Start, long? Stop, long? Step = null) : MapOperation;

/// <summary><c>m[start:stop:step] = value</c>. Reply: <see cref="Done"/>.</summary>
public sealed partial record SetSlice(long? Start, long? Stop, long? Step, byte[] Value) : MapOperation;

/// <summary><c>del m[index]</c> (always an error, as in CPython). Reply: <see cref="MmapError"/>.</summary>
public sealed partial record DeleteItem(long Index) : MapOperation;

/// <summary><c>del m[start:stop:step]</c> (always an error, as in CPython). Reply: <see cref="MmapError"/>.</summary>
public sealed partial record DeleteSlice(long? Start, long? Stop, long? Step = null) : MapOperation;

/// <summary><c>item in m</c> (only a 1-byte item can be found). Reply: <see cref="BooleanReply"/>.</summary>
public sealed partial record Contains(byte[] Item) : MapOperation;

/// <summary><c>bytes(m)</c>. Reply: <see cref="BytesReply"/>.</summary>
public sealed partial record ToBytes : MapOperation { /** <summary>The single instance.</summary> */ public static ToBytes Instance { get; } = new(); }

/// <summary><c>repr(m)</c>. Reply: <see cref="TextReply"/>.</summary>
public sealed partial record Repr : MapOperation { /** <summary>The single instance.</summary> */ public static Repr Instance { get; } = new(); }

/// <summary><c>m.closed</c>. Reply: <see cref="BooleanReply"/>.</summary>
public sealed partial record IsClosed : MapOperation { /** <summary>The single instance.</summary> */ public static IsClosed Instance { get; } = new(); }

/// <summary><c>close()</c>: closes this handle only. Idempotent. Reply: <see cref="Done"/>.</summary>
public sealed partial record Close : MapOperation { /** <summary>The single instance.</summary> */ public static Close Instance { get; } = new(); }

/// <summary>Pins the map as Python's <c>memoryview(m)</c> does: while pinned, close and resize of this handle raise
/// BufferError. Reply: <see cref="LeaseReply"/>.</summary>
public sealed partial record AcquireLease : MapOperation { /** <summary>The single instance.</summary> */ public static AcquireLease Instance { get; } = new(); }

/// <summary>Releases one <see cref="AcquireLease"/>. Reply: <see cref="Done"/>.</summary>
public sealed partial record ReleaseLease : MapOperation { /** <summary>The single instance.</summary> */ public static ReleaseLease Instance { get; } = new(); }

/// <summary>Positional read that neither uses nor moves the cursor. Reply: <see cref="BytesReply"/> (shorter only at the end).</summary>
public sealed partial record ReadAt(long Offset, int Count) : MapOperation;

/// <summary>Positional write that neither uses nor moves the cursor; all or nothing. Reply: <see cref="Done"/>.</summary>
public sealed partial record WriteAt(long Offset, byte[] Data) : MapOperation;

/// <summary>Atomic compare-and-swap: if the bytes at <paramref name="Offset"/> equal <paramref name="Expected"/>, replaces
/// them with <paramref name="Replacement"/>; otherwise fails with ValueError and changes nothing, which also stops a
/// <see cref="Batch"/>. The building block of lock-free read-modify-write on shared files. Reply: <see cref="Done"/>.</summary>
public sealed partial record CompareAndSwap(long Offset, byte[] Expected, byte[] Replacement) : MapOperation
{
    /// <summary>How the message of a mismatch begins (a ValueError). Programs test <see cref="MmapError.Code"/> for
    /// <see cref="MmapErrorCode.CompareAndSwapFailed"/> instead.</summary>
    public const string FailedPrefix = "compare-and-swap failed:";
}

/// <summary>Local only: a positional read straight into caller memory, with no allocation. Skipped when
/// <paramref name="Cancellation"/> is already cancelled. Reply: <see cref="NumberReply"/> (bytes copied) or <see cref="Canceled"/>.</summary>
public sealed partial record ReadAtInto(long Offset, Memory<byte> Destination, CancellationToken Cancellation = default) : MapOperation;

/// <summary>Local only: <c>read</c> from the cursor straight into caller memory. Reply: <see cref="NumberReply"/> or <see cref="Canceled"/>.</summary>
public sealed partial record ReadInto(Memory<byte> Destination, CancellationToken Cancellation = default) : MapOperation;

/// <summary>Operations executed in one turn of the owner: no other client's operation runs between them. Stops at
/// the first error. Reply: <see cref="BatchReply"/>.</summary>
public sealed partial record Batch(IReadOnlyList<MapOperation> Operations) : MapOperation;

// ---------------------------------------------------------------------------------------------------------
// Replies.
// ---------------------------------------------------------------------------------------------------------

/// <summary>Base of every reply to a <see cref="MapRequest"/>.</summary>
public abstract record MapReply : IMmapMessage;

/// <summary>Success without a value.</summary>
public sealed record Done : MapReply { /** <summary>The single instance.</summary> */ public static Done Instance { get; } = new(); }

/// <summary>Success with bytes.</summary>
public sealed record BytesReply(byte[] Data) : MapReply;

/// <summary>Success with an integer.</summary>
public sealed record NumberReply(long Value) : MapReply;

/// <summary>Success with a boolean.</summary>
public sealed record BooleanReply(bool Value) : MapReply;

/// <summary>Success with text.</summary>
public sealed record TextReply(string Value) : MapReply;

/// <summary>Reply to <see cref="AcquireLease"/>: Python's <c>memoryview.readonly</c> and <c>nbytes</c>.</summary>
public sealed record LeaseReply(bool ReadOnly, long Bytes) : MapReply;

/// <summary>An operation was skipped because its cancellation token was cancelled before it ran.</summary>
public sealed record Canceled : MapReply { /** <summary>The single instance.</summary> */ public static Canceled Instance { get; } = new(); }

/// <summary>Reply to <see cref="Batch"/>: the results of the operations that ran, in order, and where it stopped.</summary>
/// <param name="Results">One reply per operation that succeeded.</param>
/// <param name="FailedIndex">Index of the operation that failed, or -1.</param>
/// <param name="Error">The failure, or <see langword="null"/>.</param>
public sealed record BatchReply(IReadOnlyList<MapReply> Results, int FailedIndex, MmapError? Error) : MapReply
{
    /// <summary>Whether every operation succeeded.</summary>
    public bool Succeeded => Error is null;
}

/// <summary>A failed operation: what <see cref="MmapException"/> carries, as data. Never an exception across actors.</summary>
/// <param name="Kind">The Python exception class.</param>
/// <param name="Message">CPython's message (<c>str(exc)</c>).</param>
/// <param name="Errno">The errno of an OSError.</param>
public sealed record MmapError(MmapErrorKind Kind, string Message, int? Errno) : MapReply
{
    /// <summary>What went wrong, for programs to branch on (compare-and-swap mismatch, out of range, limit, ...).</summary>
    public MmapErrorCode Code { get; init; } = MmapErrorCodes.Classify(Kind, Message ?? "");

    /// <summary>The error of an exception.</summary>
    public static MmapError From(MmapException e) => new(e.Kind, e.Message, e.Errno) { Code = e.Code };

    /// <summary>The exception this error stands for.</summary>
    public MmapException ToException() => new(Kind, Message, Errno) { Code = Code };
}

// ---------------------------------------------------------------------------------------------------------
// Testing.
// ---------------------------------------------------------------------------------------------------------

/// <summary>Test-only fault injection: an owner receiving it throws <see cref="InjectedFaultException"/>, as if a bug
/// had fired, so tests can prove restarts. Ignored unless <c>mmap.enable-test-hooks = on</c>. No reply.</summary>
public sealed record InjectFault(string Reason) : IMmapMessage;

/// <summary>The exception an owner throws for <see cref="InjectFault"/>.</summary>
public sealed class InjectedFaultException(string message) : Exception(message);

// ---------------------------------------------------------------------------------------------------------
// Events (published on the ActorSystem's EventStream).
// ---------------------------------------------------------------------------------------------------------

/// <summary>An owner failed more often than <c>mmap.restart.max-restarts</c> allows, or could not re-open its file,
/// and was stopped; the handles on <paramref name="Key"/> are gone.</summary>
public sealed record OwnerFailed(string Key) : IMmapMessage;

// ---------------------------------------------------------------------------------------------------------
// Data plane: sent to the supervisor by a remote client that wants to move a range over HTTP (docs/remote.md).
// ---------------------------------------------------------------------------------------------------------

/// <summary>Asks for a ticket to move the bytes [<paramref name="Offset"/>, <paramref name="Offset"/> +
/// <paramref name="Length"/>) of <paramref name="Path"/> (relative to the served root) over the server's HTTP data
/// plane, once. Reply: <see cref="DataPlaneTicket"/>, or <see cref="MmapError"/> (errno 95 when the server offers no
/// data plane: use the actor protocol).</summary>
public sealed record OpenDataPlane(string Path, long Offset, long Length, bool Write) : IMmapMessage;

/// <summary>Reply to <see cref="OpenDataPlane"/>: where to send the request and the single-use ticket to present
/// (<c>Authorization: MmapTicket &lt;ticket&gt;</c>), valid until <paramref name="Expires"/> and only from the asking
/// node's address.</summary>
public sealed record DataPlaneTicket(Uri BaseUrl, string Ticket, DateTimeOffset Expires) : MapReply;

// ---------------------------------------------------------------------------------------------------------
// Transfers that cannot lie: sent to the supervisor (only when it serves a root).
// ---------------------------------------------------------------------------------------------------------

/// <summary>The size and kind of a path beneath the served root, without mapping it (so an empty file answers 0).
/// Reply: <see cref="FileStatus"/> or <see cref="MmapError"/>.</summary>
public sealed record StatFile(string Path) : IMmapMessage;

/// <summary>Reply to <see cref="StatFile"/>.</summary>
/// <param name="Size">The size in bytes (0 for anything but a regular file).</param>
/// <param name="Kind"><c>file</c>, <c>directory</c> or <c>other</c>.</param>
public sealed record FileStatus(long Size, string Kind) : MapReply
{
    /// <summary>On a cluster node, the address of the member that owns the file (docs/cluster.md); null elsewhere.</summary>
    public string? Owner { get; init; }
}

/// <summary>Commits an upload: the file at <paramref name="TemporaryPath"/> (a name from
/// <see cref="ServedRoot.TemporaryNameFor"/>, in the same directory) is flushed to disk and renamed over
/// <paramref name="Path"/> atomically, so readers see the old file or the complete new one. With
/// <paramref name="Discard"/>, the temporary file is removed instead (an abandoned upload). Handles already open on the
/// old file keep seeing it; later opens see the new one. Reply: <see cref="Done"/> or <see cref="MmapError"/>.</summary>
public sealed record CommitFile(string TemporaryPath, string Path, bool Discard = false) : IMmapMessage;
