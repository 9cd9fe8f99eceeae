using MmapActors.Protocol;

namespace MmapActors.Tests.Conformance;

/// <summary>Where a trace's <c>open</c> points: the harness descriptor, a fresh read-only one, anonymous memory
/// (Python's -1) or an invalid descriptor (Python's -2).</summary>
public enum TraceTarget
{
    ReadWriteFile,
    ReadOnlyFile,
    Anonymous,
    InvalidDescriptor,
}

/// <summary>The arguments of a trace's <c>open</c> op; null means "not passed" (Python's default).</summary>
public sealed record OpenArguments(TraceTarget Target, long Length, int? Flags, int? Prot, int? Access, long? Offset, bool? TrackFd)
{
    /// <summary>The <see cref="MapOptions"/> of this open on <paramref name="filePath"/> (none for anonymous memory).</summary>
    public MapOptions ToMapOptions(string? filePath) => new(
        Target == TraceTarget.Anonymous ? null : filePath,
        Length,
        (MmapAccess)(Access ?? 0),
        Offset ?? 0,
        Flags is { } f ? (MapFlags)f : null,
        Prot is { } p ? (MapProtection)p : null,
        TrackFd ?? true,
        Target == TraceTarget.ReadOnlyFile);
}

/// <summary>What the replayer compares after every op.</summary>
public sealed record MapState(bool? Closed, long? Tell, long? Length, int Exports, string? ContentHash);

/// <summary>
/// One Python mmap object as seen by the conformance replayer. An implementation exists per layer MmapActors
/// offers (the engine, the client API over actors, the remote client), so the same CPython traces prove each
/// of them. Every member throws <see cref="MmapException"/> exactly where CPython raises.
/// </summary>
public interface IMapUnderTest : IAsyncDisposable
{
    /// <summary>Whether opens by raw descriptor (Python's -2, an invalid one) can be expressed; when not, they are skipped.</summary>
    bool SupportsDescriptors => true;

    ValueTask OpenAsync(OpenArguments arguments);
    ValueTask<byte[]> ReadAsync(long? count);
    ValueTask<int> ReadByteAsync();
    ValueTask<byte[]> ReadLineAsync();
    ValueTask<int> WriteAsync(byte[] data);
    ValueTask WriteByteAsync(int value);
    ValueTask<long> SeekAsync(long position, int whence);
    ValueTask<bool> SeekableAsync();
    ValueTask<long> TellAsync();
    ValueTask<long> FindAsync(byte[] sub, long? start, long? end, bool reverse);
    ValueTask FlushAsync(long? offset, long? size);
    ValueTask MadviseAsync(int option, long? start, long? length);
    ValueTask MoveAsync(long destination, long source, long count);
    ValueTask ResizeAsync(long newSize);
    ValueTask<long> SizeAsync();
    ValueTask<long> LengthAsync();
    ValueTask<int> GetItemAsync(long index);
    ValueTask<byte[]> GetSliceAsync(long? start, long? stop, long? step);
    ValueTask SetItemAsync(long index, int value);
    ValueTask SetSliceAsync(long? start, long? stop, long? step, byte[] value);
    ValueTask DeleteItemAsync(long index);
    ValueTask DeleteSliceAsync(long? start, long? stop, long? step);
    ValueTask<IReadOnlyList<byte>> IterateAsync(int count);
    ValueTask<bool> ContainsAsync(byte[] item);
    ValueTask<byte[]> ToArrayAsync();
    ValueTask<string> ReprAsync();
    ValueTask<bool> ClosedAsync();
    ValueTask CloseAsync();
    ValueTask<(bool ReadOnly, long Bytes)> AcquireBufferAsync();
    ValueTask ReleaseBufferAsync();
    ValueTask<MapState> StateAsync();
}
