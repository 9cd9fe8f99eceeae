using System.Runtime.InteropServices;
using Akka.Actor;
using MmapActors.Protocol;

namespace MmapActors.Client;

/// <summary>The <see cref="IMappedFile"/> of a handle on an owner actor, local or remote.</summary>
internal sealed class MappedFile : IMappedFile
{
    private readonly IActorRef _owner;
    private readonly long _handleId;
    private readonly TimeSpan _timeout;
    private readonly bool _ownerIsLocal;
    private int _disposed;

    public MappedFile(MapOpened opened, TimeSpan timeout)
    {
        _owner = opened.Owner;
        _handleId = opened.HandleId;
        Key = opened.Key;
        Access = opened.Access;
        _timeout = timeout;
        _ownerIsLocal = opened.Owner.Path.Address.HasLocalScope;
    }

    public string Key { get; }

    public MmapAccess Access { get; }

    public async Task<byte[]> ReadAsync(long? count = null, CancellationToken cancellationToken = default) =>
        Bytes(await SendAsync(new Read(count), cancellationToken).ConfigureAwait(false));

    public async Task<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (_ownerIsLocal)
        {
            return (int)Number(await SendWithBufferAsync(new ReadInto(destination, cancellationToken), cancellationToken).ConfigureAwait(false));
        }
        var data = Bytes(await SendAsync(new Read(destination.Length), cancellationToken).ConfigureAwait(false));
        data.CopyTo(destination);
        return data.Length;
    }

    public async Task<int> ReadByteAsync(CancellationToken cancellationToken = default) =>
        (int)Number(await SendAsync(ReadByte.Instance, cancellationToken).ConfigureAwait(false));

    public async Task<byte[]> ReadLineAsync(CancellationToken cancellationToken = default) =>
        Bytes(await SendAsync(ReadLine.Instance, cancellationToken).ConfigureAwait(false));

    public async Task<int> WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        (int)Number(await SendWithBufferAsync(new Write(ExactArray(data)), cancellationToken).ConfigureAwait(false));

    public Task WriteByteAsync(int value, CancellationToken cancellationToken = default) =>
        SendAsync(new WriteByte(value), cancellationToken);

    public async Task<long> SeekAsync(long position, SeekOrigin whence = SeekOrigin.Begin, CancellationToken cancellationToken = default) =>
        Number(await SendAsync(new Seek(position, whence), cancellationToken).ConfigureAwait(false));

    public async Task<long> TellAsync(CancellationToken cancellationToken = default) =>
        Number(await SendAsync(Tell.Instance, cancellationToken).ConfigureAwait(false));

    public async Task<long> FindAsync(ReadOnlyMemory<byte> sub, long? start = null, long? end = null, CancellationToken cancellationToken = default) =>
        Number(await SendAsync(new Find(sub.ToArray(), start, end), cancellationToken).ConfigureAwait(false));

    public async Task<long> RFindAsync(ReadOnlyMemory<byte> sub, long? start = null, long? end = null, CancellationToken cancellationToken = default) =>
        Number(await SendAsync(new Find(sub.ToArray(), start, end, Reverse: true), cancellationToken).ConfigureAwait(false));

    public Task FlushAsync(long? offset = null, long? size = null, CancellationToken cancellationToken = default) =>
        SendAsync(new Flush(offset, size), cancellationToken);

    public Task MadviseAsync(MadviseOption option, long? start = null, long? length = null, CancellationToken cancellationToken = default) =>
        SendAsync(new Madvise(option, start, length), cancellationToken);

    public Task MoveAsync(long destination, long source, long count, CancellationToken cancellationToken = default) =>
        SendAsync(new Move(destination, source, count), cancellationToken);

    public Task ResizeAsync(long newSize, CancellationToken cancellationToken = default) =>
        SendAsync(new Resize(newSize), cancellationToken);

    public async Task<long> SizeAsync(CancellationToken cancellationToken = default) =>
        Number(await SendAsync(Size.Instance, cancellationToken).ConfigureAwait(false));

    public async Task<long> LengthAsync(CancellationToken cancellationToken = default) =>
        Number(await SendAsync(Length.Instance, cancellationToken).ConfigureAwait(false));

    public async Task<int> GetItemAsync(long index, CancellationToken cancellationToken = default) =>
        (int)Number(await SendAsync(new GetItem(index), cancellationToken).ConfigureAwait(false));

    public Task SetItemAsync(long index, int value, CancellationToken cancellationToken = default) =>
        SendAsync(new SetItem(index, value), cancellationToken);

    public async Task<byte[]> GetSliceAsync(long? start, long? stop, long? step = null, CancellationToken cancellationToken = default) =>
        Bytes(await SendAsync(new GetSlice(start, stop, step), cancellationToken).ConfigureAwait(false));

    public Task SetSliceAsync(long? start, long? stop, long? step, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) =>
        SendWithBufferAsync(new SetSlice(start, stop, step, ExactArray(value)), cancellationToken);

    public Task DeleteItemAsync(long index, CancellationToken cancellationToken = default) =>
        SendAsync(new DeleteItem(index), cancellationToken);

    public Task DeleteSliceAsync(long? start, long? stop, long? step = null, CancellationToken cancellationToken = default) =>
        SendAsync(new DeleteSlice(start, stop, step), cancellationToken);

    public async Task<bool> ContainsAsync(ReadOnlyMemory<byte> item, CancellationToken cancellationToken = default) =>
        ((BooleanReply)await SendAsync(new Contains(item.ToArray()), cancellationToken).ConfigureAwait(false)).Value;

    public async Task<byte[]> ToArrayAsync(CancellationToken cancellationToken = default) =>
        Bytes(await SendAsync(ToBytes.Instance, cancellationToken).ConfigureAwait(false));

    public async Task<string> ReprAsync(CancellationToken cancellationToken = default) =>
        ((TextReply)await SendAsync(Repr.Instance, cancellationToken).ConfigureAwait(false)).Value;

    public async Task<bool> IsClosedAsync(CancellationToken cancellationToken = default) =>
        ((BooleanReply)await SendAsync(IsClosed.Instance, cancellationToken).ConfigureAwait(false)).Value;

    public async Task<LeaseReply> AcquireLeaseAsync(CancellationToken cancellationToken = default) =>
        (LeaseReply)await SendAsync(AcquireLease.Instance, cancellationToken).ConfigureAwait(false);

    public Task ReleaseLeaseAsync(CancellationToken cancellationToken = default) =>
        SendAsync(ReleaseLease.Instance, cancellationToken);

    public async Task<byte[]> ReadAtAsync(long offset, int count, CancellationToken cancellationToken = default) =>
        Bytes(await SendAsync(new ReadAt(offset, count), cancellationToken).ConfigureAwait(false));

    public async Task<int> ReadAtAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (_ownerIsLocal)
        {
            return (int)Number(await SendWithBufferAsync(new ReadAtInto(offset, destination, cancellationToken), cancellationToken).ConfigureAwait(false));
        }
        var data = Bytes(await SendAsync(new ReadAt(offset, destination.Length), cancellationToken).ConfigureAwait(false));
        data.CopyTo(destination);
        return data.Length;
    }

    public Task WriteAtAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        SendWithBufferAsync(new WriteAt(offset, ExactArray(data)), cancellationToken);

    public async Task<bool> CompareAndSwapAsync(long offset, ReadOnlyMemory<byte> expected, ReadOnlyMemory<byte> replacement,
        CancellationToken cancellationToken = default)
    {
        // One-op batch: a mismatch comes back as data, not as an exception.
        var reply = await BatchAsync([new CompareAndSwap(offset, expected.ToArray(), replacement.ToArray())], cancellationToken).ConfigureAwait(false);
        if (reply.Error is { } error)
        {
            return error.Kind == MmapErrorKind.ValueError && error.Message.StartsWith(CompareAndSwap.FailedPrefix, StringComparison.Ordinal)
                ? false
                : throw error.ToException();
        }
        return true;
    }

    public async Task<BatchReply> BatchAsync(IReadOnlyList<MapOperation> operations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        return (BatchReply)await SendWithBufferAsync(new Batch(operations), cancellationToken).ConfigureAwait(false);
    }

    public Task CloseAsync(CancellationToken cancellationToken = default) => SendAsync(Close.Instance, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await SendAsync(Close.Instance, CancellationToken.None).ConfigureAwait(false);
        }
    }

    public override string ToString() => $"IMappedFile({Key}, handle {_handleId}, {Access})";

    /// <summary>Sends an operation whose message holds no caller memory: cancellation may abandon the wait.</summary>
    private async Task<MapReply> SendAsync(MapOperation operation, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        MapReply reply;
        try
        {
            reply = await _owner.Ask<MapReply>(new MapRequest(_handleId, operation), _timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (AskTimeoutException e)
        {
            throw Timeout(operation, e);
        }
        return Check(reply);
    }

    /// <summary>Sends an operation whose message holds caller memory: once sent, always wait for the owner's answer, so
    /// the memory is never touched after this returns. The owner skips the operation if the token is cancelled by then.</summary>
    private async Task<MapReply> SendWithBufferAsync(MapOperation operation, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        MapReply reply;
        try
        {
            reply = await _owner.Ask<MapReply>(new MapRequest(_handleId, operation), _timeout).ConfigureAwait(false);
        }
        catch (AskTimeoutException e)
        {
            throw Timeout(operation, e);
        }
        if (reply is Canceled)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        return Check(reply);
    }

    private static MapReply Check(MapReply reply) => reply is MmapError error ? throw error.ToException() : reply;

    private TimeoutException Timeout(MapOperation operation, Exception inner) =>
        new($"The owner of {Key} did not answer {operation.GetType().Name} within {_timeout} (mmap.ask-timeout)", inner);

    private static byte[] Bytes(MapReply reply) => ((BytesReply)reply).Data;

    private static long Number(MapReply reply) => ((NumberReply)reply).Value;

    /// <summary>Messages carry exact-length arrays (a slice would serialize its whole backing array remotely).</summary>
    private static byte[] ExactArray(ReadOnlyMemory<byte> data) =>
        MemoryMarshal.TryGetArray(data, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : data.ToArray();
}
