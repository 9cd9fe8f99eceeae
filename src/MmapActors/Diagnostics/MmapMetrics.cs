using System.Collections.Frozen;
using System.Diagnostics.Metrics;
using MmapActors.Protocol;

namespace MmapActors.Diagnostics;

/// <summary>
/// The <c>MmapActors</c> meter (System.Diagnostics.Metrics): what the owners execute, the bytes they move, the errors
/// they reply, the files and handles open in this process, and the range transfers its clients are running. See
/// <c>docs/observability.md</c>; with OpenTelemetry: <c>.AddMeter(MmapMetrics.MeterName)</c>.
/// </summary>
/// <remarks>
/// Measurements are taken where the work happens: operations, bytes and errors in the process that runs the owner
/// (the server, for remote clients), active transfers in the client's process. Recording an operation allocates
/// nothing and takes no lock: the owner's loop runs it hundreds of thousands of times a second.
/// </remarks>
public static class MmapMetrics
{
    /// <summary>The meter's name: <c>MmapActors</c>.</summary>
    public const string MeterName = "MmapActors";

    /// <summary>Counter: operations executed by owners, tagged <c>op</c> (the protocol message type, e.g. <c>ReadAt</c>, <c>OpenMap</c>).</summary>
    public const string OperationsInstrument = "mmap.operations";

    /// <summary>Counter (bytes): bytes copied out of maps to clients.</summary>
    public const string BytesReadInstrument = "mmap.bytes_read";

    /// <summary>Counter (bytes): bytes copied into maps from clients.</summary>
    public const string BytesWrittenInstrument = "mmap.bytes_written";

    /// <summary>Counter: error replies, tagged <c>kind</c> (the <see cref="MmapErrorKind"/>) and <c>op</c>.</summary>
    public const string ErrorsInstrument = "mmap.errors";

    /// <summary>UpDownCounter (observable): owners alive in this process, one per open file or anonymous map.</summary>
    public const string OpenFilesInstrument = "mmap.open_files";

    /// <summary>UpDownCounter (observable): handles open on those owners.</summary>
    public const string OpenHandlesInstrument = "mmap.open_handles";

    /// <summary>UpDownCounter: ReadRangeAsync/WriteRangeAsync calls running in this process, tagged <c>direction</c> (<c>read</c>, <c>write</c>).</summary>
    public const string ActiveTransfersInstrument = "mmap.active_transfers";

    /// <summary>The tag that names an operation.</summary>
    public const string OperationTag = "op";

    /// <summary>The tag that names an error's kind.</summary>
    public const string ErrorKindTag = "kind";

    /// <summary>The tag that tells a streamed read from a streamed write.</summary>
    public const string DirectionTag = "direction";

    private static readonly Meter Meter = new(MeterName, typeof(MmapMetrics).Assembly.GetName().Version?.ToString());

    private static readonly Counter<long> Operations =
        Meter.CreateCounter<long>(OperationsInstrument, "{operation}", "Operations executed by MmapActors owners.");

    private static readonly Counter<long> BytesRead =
        Meter.CreateCounter<long>(BytesReadInstrument, "By", "Bytes copied out of memory maps to clients.");

    private static readonly Counter<long> BytesWritten =
        Meter.CreateCounter<long>(BytesWrittenInstrument, "By", "Bytes copied into memory maps from clients.");

    private static readonly Counter<long> Errors =
        Meter.CreateCounter<long>(ErrorsInstrument, "{error}", "Error replies (Python exceptions) sent by MmapActors.");

    private static readonly UpDownCounter<long> ActiveTransfers =
        Meter.CreateUpDownCounter<long>(ActiveTransfersInstrument, "{transfer}", "Streamed range reads and writes in progress.");

    // Tag values are built once: a tag of a fresh string or a boxed enum would allocate on every operation.
    private static readonly KeyValuePair<string, object?> ReadDirection = new(DirectionTag, "read");
    private static readonly KeyValuePair<string, object?> WriteDirection = new(DirectionTag, "write");
    private static readonly KeyValuePair<string, object?> OpenOperation = new(OperationTag, nameof(OpenMap));
    private static readonly KeyValuePair<string, object?> CreateFileOperation = new(OperationTag, nameof(CreateFile));

    /// <summary>The <c>op</c> tag of every concrete operation type, so that no name is looked up or built per operation.</summary>
    private static readonly FrozenDictionary<Type, KeyValuePair<string, object?>> OperationTags = typeof(MapOperation).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(MapOperation)) && !t.IsAbstract)
        .ToFrozenDictionary(t => t, t => new KeyValuePair<string, object?>(OperationTag, t.Name));

    private static long _openFiles;
    private static long _openHandles;

    static MmapMetrics()
    {
        // Observed rather than counted by the listener: whoever starts listening late still sees the true numbers.
        Meter.CreateObservableUpDownCounter(OpenFilesInstrument, () => Volatile.Read(ref _openFiles), "{file}",
            "Files (and anonymous maps) with an owner in this process.");
        Meter.CreateObservableUpDownCounter(OpenHandlesInstrument, () => Volatile.Read(ref _openHandles), "{handle}",
            "Handles open on MmapActors owners in this process.");
    }

    /// <summary>Records one executed operation and its reply: the operation, the bytes it moved (as the operation itself
    /// counts them), or its error. A batch is recorded with each operation it ran.</summary>
    internal static void RecordOperation(MapOperation? operation, MapReply reply)
    {
        if (operation is null)
        {
            return; // a malformed request, answered with an error; there is no operation to count
        }
        // Each instrument is checked first: with nobody listening, this is a few field reads and type tests.
        if (Operations.Enabled)
        {
            Operations.Add(1, TagOf(operation));
        }
        if (reply is MmapError error)
        {
            if (Errors.Enabled)
            {
                RecordError(TagOf(operation), error);
            }
            return;
        }
        if (operation is Batch batch && reply is BatchReply results)
        {
            RecordBatch(batch, results);
            return;
        }
        if (BytesRead.Enabled && operation.BytesRead(reply) is > 0 and var read)
        {
            BytesRead.Add(read);
        }
        if (BytesWritten.Enabled && operation.BytesWritten(reply) is > 0 and var written)
        {
            BytesWritten.Add(written);
        }
    }

    private static void RecordBatch(Batch batch, BatchReply reply)
    {
        var operations = batch.Operations;
        if (operations is null)
        {
            return;
        }
        for (int i = 0; i < reply.Results.Count && i < operations.Count; i++)
        {
            RecordOperation(operations[i], reply.Results[i]);
        }
        if (reply.Error is { } error && reply.FailedIndex >= 0 && reply.FailedIndex < operations.Count)
        {
            RecordOperation(operations[reply.FailedIndex], error);
        }
    }

    /// <summary>Records an <see cref="OpenMap"/> handled by a supervisor or an owner, and its error if it failed
    /// (a refusal is tagged with its reason, see <see cref="MmapRefusals"/>).</summary>
    internal static void RecordOpen(MmapError? error)
    {
        if (Operations.Enabled)
        {
            Operations.Add(1, OpenOperation);
        }
        if (error is not null)
        {
            RecordError(OpenOperation, error);
        }
    }

    /// <summary>Records a <see cref="CreateFile"/> and its error if it failed.</summary>
    internal static void RecordCreateFile(MapReply reply)
    {
        if (Operations.Enabled)
        {
            Operations.Add(1, CreateFileOperation);
        }
        if (reply is MmapError error)
        {
            RecordError(CreateFileOperation, error);
        }
    }

    /// <summary>An owner started (a file or an anonymous map is open).</summary>
    internal static void FileOpened() => Interlocked.Increment(ref _openFiles);

    /// <summary><paramref name="count"/> owners stopped.</summary>
    internal static void FilesClosed(int count) => Interlocked.Add(ref _openFiles, -count);

    /// <summary>A handle was opened.</summary>
    internal static void HandleOpened() => Interlocked.Increment(ref _openHandles);

    /// <summary><paramref name="count"/> handles were closed.</summary>
    internal static void HandlesClosed(int count) => Interlocked.Add(ref _openHandles, -count);

    /// <summary>A streamed range started. Counted whether or not anyone listens yet, so that a listener arriving
    /// mid-transfer sees a -1 that matches a +1.</summary>
    internal static void TransferStarted(bool write) => ActiveTransfers.Add(1, write ? WriteDirection : ReadDirection);

    /// <summary>A streamed range ended, however it ended.</summary>
    internal static void TransferEnded(bool write) => ActiveTransfers.Add(-1, write ? WriteDirection : ReadDirection);

    private static KeyValuePair<string, object?> TagOf(MapOperation operation) =>
        OperationTags.TryGetValue(operation.GetType(), out var tag) ? tag : new(OperationTag, operation.GetType().Name);

    private static void RecordError(KeyValuePair<string, object?> op, MmapError error)
    {
        if (Errors.Enabled)
        {
            // A refusal (limit, forbidden-path, read-only) is policy working, not a failure: its own kind, so an alert
            // on OSError does not fire because a client asked for ../../etc/passwd.
            string kind = MmapRefusals.Classify(error.Kind, error.Message, error.Errno) ?? KindName(error.Kind);
            Errors.Add(1, new KeyValuePair<string, object?>(ErrorKindTag, kind), op);
        }
    }

    private static string KindName(MmapErrorKind kind) => kind switch
    {
        MmapErrorKind.ValueError => nameof(MmapErrorKind.ValueError),
        MmapErrorKind.TypeError => nameof(MmapErrorKind.TypeError),
        MmapErrorKind.IndexError => nameof(MmapErrorKind.IndexError),
        MmapErrorKind.OverflowError => nameof(MmapErrorKind.OverflowError),
        MmapErrorKind.BufferError => nameof(MmapErrorKind.BufferError),
        MmapErrorKind.OSError => nameof(MmapErrorKind.OSError),
        _ => "Unknown",
    };
}
