using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace MmapActors.Tests.Conformance;

/// <summary>The replayer's view of a bare <see cref="MemoryMap"/>.</summary>
public sealed class EngineMapUnderTest(string? filePath, SafeFileHandle? readWrite) : IMapUnderTest
{
    private MemoryMap? _map;
    private MemoryMapLease? _lease;

    private MemoryMap Map => _map ?? throw new InvalidOperationException("no map was opened");

    public ValueTask OpenAsync(OpenArguments a)
    {
        SafeFileHandle? readOnly = null;
        try
        {
            int fd = a.Target switch
            {
                TraceTarget.Anonymous => -1,
                TraceTarget.InvalidDescriptor => -2,
                TraceTarget.ReadWriteFile => (int)readWrite!.DangerousGetHandle(),
                _ => (int)(readOnly = File.OpenHandle(filePath!, FileMode.Open, FileAccess.Read)).DangerousGetHandle(),
            };
            _map = MemoryMap.FromFileDescriptor(fd, a.Length,
                (MapFlags)(a.Flags ?? (int)MapFlags.Shared),
                (MapProtection)(a.Prot ?? (int)(MapProtection.Read | MapProtection.Write)),
                (MmapAccess)(a.Access ?? 0), a.Offset ?? 0, a.TrackFd ?? true);
        }
        finally
        {
            readOnly?.Dispose();
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask<byte[]> ReadAsync(long? count) => new(count is { } n ? Map.Read(n) : Map.Read());
    public ValueTask<int> ReadByteAsync() => new(Map.ReadByte());
    public ValueTask<byte[]> ReadLineAsync() => new(Map.ReadLine());
    public ValueTask<int> WriteAsync(byte[] data) => new(Map.Write(data));
    public ValueTask WriteByteAsync(int value) { Map.WriteByte(value); return default; }
    public ValueTask<long> SeekAsync(long position, int whence) => new(Map.Seek(position, (SeekOrigin)whence));
    public ValueTask<bool> SeekableAsync() => new(Map.Seekable);
    public ValueTask<long> TellAsync() => new(Map.Tell());

    public ValueTask<long> FindAsync(byte[] sub, long? start, long? end, bool reverse) => new((start, end, reverse) switch
    {
        (null, _, false) => Map.Find(sub),
        ({ } s, null, false) => Map.Find(sub, s),
        ({ } s, { } e, false) => Map.Find(sub, s, e),
        (null, _, true) => Map.RFind(sub),
        ({ } s, null, true) => Map.RFind(sub, s),
        ({ } s, { } e, true) => Map.RFind(sub, s, e),
    });

    public ValueTask FlushAsync(long? offset, long? size)
    {
        if (offset is null) Map.Flush();
        else if (size is null) Map.Flush(offset.Value);
        else Map.Flush(offset.Value, size.Value);
        return default;
    }

    public ValueTask MadviseAsync(int option, long? start, long? length)
    {
        if (start is null) Map.Madvise((MadviseOption)option);
        else if (length is null) Map.Madvise((MadviseOption)option, start.Value);
        else Map.Madvise((MadviseOption)option, start.Value, length.Value);
        return default;
    }

    public ValueTask MoveAsync(long destination, long source, long count) { Map.Move(destination, source, count); return default; }
    public ValueTask ResizeAsync(long newSize) { Map.Resize(newSize); return default; }
    public ValueTask<long> SizeAsync() => new(Map.Size());
    public ValueTask<long> LengthAsync() => new(Map.Length);
    public ValueTask<int> GetItemAsync(long index) => new(Map[index]);
    public ValueTask<byte[]> GetSliceAsync(long? start, long? stop, long? step) => new(Map.GetSlice(start, stop, step));
    public ValueTask SetItemAsync(long index, int value) { Map[index] = value; return default; }
    public ValueTask SetSliceAsync(long? start, long? stop, long? step, byte[] value) { Map.SetSlice(start, stop, step, value); return default; }
    public ValueTask DeleteItemAsync(long index) { Map.DeleteItem(index); return default; }
    public ValueTask DeleteSliceAsync(long? start, long? stop, long? step) { Map.DeleteSlice(start, stop, step); return default; }

    public ValueTask<IReadOnlyList<byte>> IterateAsync(int count)
    {
        var items = new List<byte>();
        using var e = Map.GetEnumerator();
        while (items.Count < count && e.MoveNext())
        {
            items.Add(e.Current);
        }
        return new(items);
    }

    public ValueTask<bool> ContainsAsync(byte[] item) => new(Map.Contains(item));
    public ValueTask<byte[]> ToArrayAsync() => new(Map.ToArray());
    public ValueTask<string> ReprAsync() => new(Map.ToString());
    public ValueTask<bool> ClosedAsync() => new(Map.Closed);
    public ValueTask CloseAsync() { Map.Close(); return default; }

    public ValueTask<(bool ReadOnly, long Bytes)> AcquireBufferAsync()
    {
        _lease = Map.Lease();
        return new((_lease.IsReadOnly, _lease.Length));
    }

    public ValueTask ReleaseBufferAsync()
    {
        _lease?.Dispose();
        _lease = null;
        return default;
    }

    public ValueTask<MapState> StateAsync()
    {
        if (_map is null)
        {
            return new(new MapState(null, null, null, _lease is null ? 0 : 1, null));
        }
        if (_map.Closed)
        {
            return new(new MapState(true, null, null, _lease is null ? 0 : 1, null));
        }
        string hash = Convert.ToHexStringLower(SHA256.HashData(_map.ToArray()))[..16];
        return new(new MapState(false, _map.Tell(), _map.Length, _lease is null ? 0 : 1, hash));
    }

    public ValueTask DisposeAsync()
    {
        _lease?.Dispose();
        _map?.Dispose();
        return default;
    }
}
