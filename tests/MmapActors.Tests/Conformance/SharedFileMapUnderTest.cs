using System.Security.Cryptography;
using MmapActors.Actors;
using MmapActors.Owner;
using MmapActors.Protocol;

namespace MmapActors.Tests.Conformance;

/// <summary>
/// The replayer's view of a handle on a <see cref="SharedFile"/>, called directly (no actor). Every open also opens a
/// bystander handle with the same options, which shares the subject's mapping, and the bystander moves its own cursor
/// and reads after every op: the trace only passes if cursors, access and closing stay per handle.
/// </summary>
public sealed class SharedFileMapUnderTest(string? filePath) : IMapUnderTest
{
    private readonly SharedFile _file = new(filePath is null ? "anonymous:1" : Path.GetFullPath(filePath),
        filePath is null ? null : Path.GetFullPath(filePath), null, OwnerTestSettings.Default, new ResourceBudget(OwnerTestSettings.Default));
    private long? _subject;
    private long? _bystander;
    private int _leases;
    private int _step;

    public bool SupportsDescriptors => false;

    /// <summary>Mappings behind the open handles (fewer than the handles when they share).</summary>
    public int MappingCount => _file.MappingCount;

    public ValueTask OpenAsync(OpenArguments a)
    {
        var options = a.ToMapOptions(filePath);
        _subject = _file.Open(options, "subject").Id;
        if (_bystander is { } old)
        {
            _file.Execute(old, Close.Instance);
        }
        try
        {
            _bystander = _file.Open(options, "bystander").Id;
        }
        catch (MmapException)
        {
            _bystander = null; // e.g. a second anonymous map would pass nothing: the subject is what is compared
        }
        return ValueTask.CompletedTask;
    }

    private MapReply Send(MapOperation operation)
    {
        var reply = _file.Execute(_subject ?? throw new InvalidOperationException("no map was opened"), operation);
        return reply is MmapError error ? throw error.ToException() : reply;
    }

    private byte[] Bytes(MapOperation operation) => ((BytesReply)Send(operation)).Data;

    private long Number(MapOperation operation) => ((NumberReply)Send(operation)).Value;

    public ValueTask<byte[]> ReadAsync(long? count) => new(Bytes(new Read(count)));
    public ValueTask<int> ReadByteAsync() => new((int)Number(ReadByte.Instance));
    public ValueTask<byte[]> ReadLineAsync() => new(Bytes(ReadLine.Instance));
    public ValueTask<int> WriteAsync(byte[] data) => new((int)Number(new Write(data)));
    public ValueTask WriteByteAsync(int value) => Done(new WriteByte(value));
    public ValueTask<long> SeekAsync(long position, int whence) => new(Number(new Seek(position, (SeekOrigin)whence)));
    public ValueTask<bool> SeekableAsync() => new(true);
    public ValueTask<long> TellAsync() => new(Number(Tell.Instance));
    public ValueTask<long> FindAsync(byte[] sub, long? start, long? end, bool reverse) => new(Number(new Find(sub, start, end, reverse)));
    public ValueTask FlushAsync(long? offset, long? size) => Done(new Flush(offset, size));
    public ValueTask MadviseAsync(int option, long? start, long? length) => Done(new Madvise((MadviseOption)option, start, length));
    public ValueTask MoveAsync(long destination, long source, long count) => Done(new Move(destination, source, count));
    public ValueTask ResizeAsync(long newSize) => Done(new Resize(newSize));
    public ValueTask<long> SizeAsync() => new(Number(Size.Instance));
    public ValueTask<long> LengthAsync() => new(Number(Length.Instance));
    public ValueTask<int> GetItemAsync(long index) => new((int)Number(new GetItem(index)));
    public ValueTask<byte[]> GetSliceAsync(long? start, long? stop, long? step) => new(Bytes(new GetSlice(start, stop, step)));
    public ValueTask SetItemAsync(long index, int value) => Done(new SetItem(index, value));
    public ValueTask SetSliceAsync(long? start, long? stop, long? step, byte[] value) => Done(new SetSlice(start, stop, step, value));
    public ValueTask DeleteItemAsync(long index) => Done(new DeleteItem(index));
    public ValueTask DeleteSliceAsync(long? start, long? stop, long? step) => Done(new DeleteSlice(start, stop, step));

    public ValueTask<IReadOnlyList<byte>> IterateAsync(int count)
    {
        var items = new List<byte>();
        for (long i = 0; i < count; i++)
        {
            try
            {
                items.Add((byte)Number(new GetItem(i)));
            }
            catch (MmapException e) when (e.Kind == MmapErrorKind.IndexError)
            {
                break;
            }
        }
        return new(items);
    }

    public ValueTask<bool> ContainsAsync(byte[] item) => new(((BooleanReply)Send(new Contains(item))).Value);
    public ValueTask<byte[]> ToArrayAsync() => new(Bytes(ToBytes.Instance));
    public ValueTask<string> ReprAsync() => new(((TextReply)Send(Repr.Instance)).Value);
    public ValueTask<bool> ClosedAsync() => new(((BooleanReply)Send(IsClosed.Instance)).Value);
    public ValueTask CloseAsync() => Done(Close.Instance);

    public ValueTask<(bool ReadOnly, long Bytes)> AcquireBufferAsync()
    {
        var lease = (LeaseReply)Send(AcquireLease.Instance);
        _leases++;
        return new((lease.ReadOnly, lease.Bytes));
    }

    public ValueTask ReleaseBufferAsync()
    {
        Send(ReleaseLease.Instance);
        _leases--;
        return ValueTask.CompletedTask;
    }

    public ValueTask<MapState> StateAsync()
    {
        DisturbBystander();
        if (_subject is not { } id)
        {
            return new(new MapState(null, null, null, _leases, null));
        }
        var state = (BatchReply)_file.Execute(id, new Batch([IsClosed.Instance, Tell.Instance, Length.Instance, ToBytes.Instance]));
        if (((BooleanReply)state.Results[0]).Value)
        {
            return new(new MapState(true, null, null, _leases, null));
        }
        string hash = Convert.ToHexStringLower(SHA256.HashData(((BytesReply)state.Results[3]).Data))[..16];
        return new(new MapState(false, ((NumberReply)state.Results[1]).Value, ((NumberReply)state.Results[2]).Value, _leases, hash));
    }

    /// <summary>Moves the bystander's cursor somewhere else and reads through it: the subject must not notice.</summary>
    private void DisturbBystander()
    {
        if (_bystander is { } id)
        {
            _step++;
            _file.Execute(id, new Batch([new Seek(_step * 7 % 13), ReadByte.Instance, Tell.Instance]));
        }
    }

    public ValueTask DisposeAsync()
    {
        if (_subject is { } id)
        {
            while (_leases-- > 0)
            {
                _file.Execute(id, ReleaseLease.Instance);
            }
        }
        _file.CloseAll();
        return ValueTask.CompletedTask;
    }

    private ValueTask Done(MapOperation operation)
    {
        Send(operation);
        return ValueTask.CompletedTask;
    }
}
