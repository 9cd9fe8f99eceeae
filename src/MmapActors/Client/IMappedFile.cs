using MmapActors.Protocol;

namespace MmapActors;

/// <summary>
/// A handle on a mapped file served by its owner actor: the async mirror of <see cref="MemoryMap"/> (and so of
/// Python's mmap object). Every call is one message to the owner, which serializes the calls of every handle on the
/// file, so any number of workers may share a file. Each handle has its own cursor and access mode; contents and
/// length are shared. Errors are thrown as <see cref="MmapException"/>, exactly as <see cref="MemoryMap"/> throws them.
/// </summary>
/// <remarks>
/// <para>Cancellation: a token cancelled before a call is sent throws at once. Afterwards it stops the wait, but the
/// owner may still run the operation. Calls that hand the owner caller memory (<see cref="ReadAsync(Memory{byte}, CancellationToken)"/>,
/// <see cref="ReadAtAsync(long, Memory{byte}, CancellationToken)"/>) are skipped by the owner if the token is cancelled
/// before they run, and always wait for the owner's answer, so the buffer is never written after the call returns.</para>
/// <para>Disposing the handle closes it (idempotent).</para>
/// </remarks>
public interface IMappedFile : IAsyncDisposable
{
    /// <summary>The file's canonical path, or <c>anonymous:N</c>.</summary>
    string Key { get; }

    /// <summary>The handle's effective access mode.</summary>
    MmapAccess Access { get; }

    /// <summary>Python's <c>read(n)</c>; null reads to the end.</summary>
    Task<byte[]> ReadAsync(long? count = null, CancellationToken cancellationToken = default);

    /// <summary>Reads from the cursor into <paramref name="destination"/> (no allocation when the owner is local).</summary>
    Task<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default);

    /// <summary>Python's <c>read_byte()</c>.</summary>
    Task<int> ReadByteAsync(CancellationToken cancellationToken = default);

    /// <summary>Python's <c>readline()</c>.</summary>
    Task<byte[]> ReadLineAsync(CancellationToken cancellationToken = default);

    /// <summary>Python's <c>write(data)</c>: all or nothing at the cursor; returns the bytes written.</summary>
    Task<int> WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>Python's <c>write_byte(value)</c>.</summary>
    Task WriteByteAsync(int value, CancellationToken cancellationToken = default);

    /// <summary>Python's <c>seek(pos, whence)</c>; returns the new position.</summary>
    Task<long> SeekAsync(long position, SeekOrigin whence = SeekOrigin.Begin, CancellationToken cancellationToken = default);

    /// <summary>Python's <c>tell()</c>.</summary>
    Task<long> TellAsync(CancellationToken cancellationToken = default);

    /// <summary>Python's <c>find(sub, start, end)</c>; a null start means the cursor.</summary>
    Task<long> FindAsync(ReadOnlyMemory<byte> sub, long? start = null, long? end = null, CancellationToken cancellationToken = default);

    /// <summary>Python's <c>rfind(sub, start, end)</c>; a null start means the cursor.</summary>
    Task<long> RFindAsync(ReadOnlyMemory<byte> sub, long? start = null, long? end = null, CancellationToken cancellationToken = default);

    /// <summary>Python's <c>flush(offset, size)</c>: when it completes, the range is on disk (msync, and fsync after a resize).</summary>
    Task FlushAsync(long? offset = null, long? size = null, CancellationToken cancellationToken = default);

    /// <summary>Python's <c>madvise(option, start, length)</c>.</summary>
    Task MadviseAsync(MadviseOption option, long? start = null, long? length = null, CancellationToken cancellationToken = default);

    /// <summary>Python's <c>move(dest, src, count)</c>.</summary>
    Task MoveAsync(long destination, long source, long count, CancellationToken cancellationToken = default);

    /// <summary>Python's <c>resize(newsize)</c>; every shared handle on the file sees the new length.</summary>
    Task ResizeAsync(long newSize, CancellationToken cancellationToken = default);

    /// <summary>Python's <c>size()</c>: the file's size.</summary>
    Task<long> SizeAsync(CancellationToken cancellationToken = default);

    /// <summary>Python's <c>len(m)</c>.</summary>
    Task<long> LengthAsync(CancellationToken cancellationToken = default);

    /// <summary>Python's <c>m[index]</c>.</summary>
    Task<int> GetItemAsync(long index, CancellationToken cancellationToken = default);

    /// <summary>Python's <c>m[index] = value</c>.</summary>
    Task SetItemAsync(long index, int value, CancellationToken cancellationToken = default);

    /// <summary>Python's <c>m[start:stop:step]</c>.</summary>
    Task<byte[]> GetSliceAsync(long? start, long? stop, long? step = null, CancellationToken cancellationToken = default);

    /// <summary>Python's <c>m[start:stop:step] = value</c>.</summary>
    Task SetSliceAsync(long? start, long? stop, long? step, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default);

    /// <summary>Python's <c>del m[index]</c> (always fails, as in CPython).</summary>
    Task DeleteItemAsync(long index, CancellationToken cancellationToken = default);

    /// <summary>Python's <c>del m[start:stop:step]</c> (always fails, as in CPython).</summary>
    Task DeleteSliceAsync(long? start, long? stop, long? step = null, CancellationToken cancellationToken = default);

    /// <summary>Python's <c>item in m</c>.</summary>
    Task<bool> ContainsAsync(ReadOnlyMemory<byte> item, CancellationToken cancellationToken = default);

    /// <summary>Python's <c>bytes(m)</c>.</summary>
    Task<byte[]> ToArrayAsync(CancellationToken cancellationToken = default);

    /// <summary>Python's <c>repr(m)</c>.</summary>
    Task<string> ReprAsync(CancellationToken cancellationToken = default);

    /// <summary>Python's <c>closed</c>.</summary>
    Task<bool> IsClosedAsync(CancellationToken cancellationToken = default);

    /// <summary>Pins the map as a Python <c>memoryview</c> does (close and resize then raise BufferError).</summary>
    Task<LeaseReply> AcquireLeaseAsync(CancellationToken cancellationToken = default);

    /// <summary>Releases one pin.</summary>
    Task ReleaseLeaseAsync(CancellationToken cancellationToken = default);

    /// <summary>Reads up to <paramref name="count"/> bytes at <paramref name="offset"/> without using or moving the cursor.</summary>
    Task<byte[]> ReadAtAsync(long offset, int count, CancellationToken cancellationToken = default);

    /// <summary>Reads at <paramref name="offset"/> into <paramref name="destination"/> without using or moving the
    /// cursor; no allocation when the owner is local. Returns the bytes copied (fewer only at the end).</summary>
    Task<int> ReadAtAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken = default);

    /// <summary>Writes all of <paramref name="data"/> at <paramref name="offset"/> without using or moving the cursor.</summary>
    Task WriteAtAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>Replaces the bytes at <paramref name="offset"/> with <paramref name="replacement"/> if they equal
    /// <paramref name="expected"/>; returns whether it did (see <see cref="CompareAndSwap"/>).</summary>
    Task<bool> CompareAndSwapAsync(long offset, ReadOnlyMemory<byte> expected, ReadOnlyMemory<byte> replacement, CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams <paramref name="count"/> bytes from <paramref name="offset"/> into <paramref name="destination"/>, in chunks
    /// of <c>mmap.transfer.chunk-size</c> with at most <c>mmap.transfer.window</c> in flight, so a range of any size needs
    /// only a bounded buffer on either side. The range is clamped at the end of the map. Not atomic: other clients'
    /// writes may land between chunks.
    /// </summary>
    /// <returns>The bytes transferred.</returns>
    /// <exception cref="MmapException">ValueError when <paramref name="offset"/> is negative or past the end; any error of a
    /// chunk, after which nothing more is requested.</exception>
    Task<long> ReadRangeAsync(long offset, long count, Stream destination, IProgress<long>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams <paramref name="source"/> into the map at <paramref name="offset"/> (up to <paramref name="count"/> bytes, or
    /// to the end of the stream), in chunks with a bounded window. The map must already be long enough (resize first).
    /// Not atomic across chunks.
    /// </summary>
    /// <returns>The bytes transferred.</returns>
    Task<long> WriteRangeAsync(long offset, Stream source, long? count = null, IProgress<long>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>Runs <paramref name="operations"/> in one turn of the owner (atomic with respect to every other client),
    /// stopping at the first error. The result says which operation failed, if any; it does not throw for it.</summary>
    Task<BatchReply> BatchAsync(IReadOnlyList<MapOperation> operations, CancellationToken cancellationToken = default);

    /// <summary>Python's <c>close()</c> for this handle. Idempotent.</summary>
    Task CloseAsync(CancellationToken cancellationToken = default);
}
