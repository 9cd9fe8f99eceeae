using System.Security.Cryptography;
using MmapActors.Protocol;

namespace MmapActors.Tests.Conformance;

/// <summary>
/// The replayer's view of an <see cref="IMappedFile"/>: every trace op becomes one or more messages to the file's
/// owner actor, locally or over Akka.Remote, so the same CPython traces prove the client API and the actor path.
/// </summary>
/// <remarks>The client API opens files by path, not by descriptor: the trace's read/write descriptor is the file
/// opened read/write, its read-only descriptor is <see cref="MapOptions.ReadOnlyFile"/>, and an invalid descriptor
/// (Python's -2) cannot be expressed, so those opens are skipped (they change no state).</remarks>
public sealed class ClientMapUnderTest(Func<ValueTask<MmapClient>> clientForOpen, string? filePath) : IMapUnderTest
{
    /// <summary>Opens through <paramref name="client"/>.</summary>
    public ClientMapUnderTest(MmapClient client, string? filePath)
        : this(() => new ValueTask<MmapClient>(client), filePath)
    {
    }

    private IMappedFile? _file;
    private int _leases;

    private IMappedFile File => _file ?? throw new InvalidOperationException("no map was opened");

    public bool SupportsDescriptors => false;

    public async ValueTask OpenAsync(OpenArguments a)
    {
        var options = a.ToMapOptions(filePath);
        _file = await (await clientForOpen()).OpenAsync(options);
    }

    public async ValueTask<byte[]> ReadAsync(long? count) => await File.ReadAsync(count);
    public async ValueTask<int> ReadByteAsync() => await File.ReadByteAsync();
    public async ValueTask<byte[]> ReadLineAsync() => await File.ReadLineAsync();
    public async ValueTask<int> WriteAsync(byte[] data) => await File.WriteAsync(data);
    public async ValueTask WriteByteAsync(int value) => await File.WriteByteAsync(value);
    public async ValueTask<long> SeekAsync(long position, int whence) => await File.SeekAsync(position, (SeekOrigin)whence);
    public ValueTask<bool> SeekableAsync() => new(true);
    public async ValueTask<long> TellAsync() => await File.TellAsync();

    public async ValueTask<long> FindAsync(byte[] sub, long? start, long? end, bool reverse) =>
        reverse ? await File.RFindAsync(sub, start, end) : await File.FindAsync(sub, start, end);

    public async ValueTask FlushAsync(long? offset, long? size) => await File.FlushAsync(offset, size);
    public async ValueTask MadviseAsync(int option, long? start, long? length) => await File.MadviseAsync((MadviseOption)option, start, length);
    public async ValueTask MoveAsync(long destination, long source, long count) => await File.MoveAsync(destination, source, count);
    public async ValueTask ResizeAsync(long newSize) => await File.ResizeAsync(newSize);
    public async ValueTask<long> SizeAsync() => await File.SizeAsync();
    public async ValueTask<long> LengthAsync() => await File.LengthAsync();
    public async ValueTask<int> GetItemAsync(long index) => await File.GetItemAsync(index);
    public async ValueTask<byte[]> GetSliceAsync(long? start, long? stop, long? step) => await File.GetSliceAsync(start, stop, step);
    public async ValueTask SetItemAsync(long index, int value) => await File.SetItemAsync(index, value);
    public async ValueTask SetSliceAsync(long? start, long? stop, long? step, byte[] value) => await File.SetSliceAsync(start, stop, step, value);
    public async ValueTask DeleteItemAsync(long index) => await File.DeleteItemAsync(index);
    public async ValueTask DeleteSliceAsync(long? start, long? stop, long? step) => await File.DeleteSliceAsync(start, stop, step);

    /// <summary>Python iterates a map through its sequence protocol: item 0, 1, ... until IndexError.</summary>
    public async ValueTask<IReadOnlyList<byte>> IterateAsync(int count)
    {
        var items = new List<byte>();
        for (long i = 0; i < count; i++)
        {
            try
            {
                items.Add((byte)await File.GetItemAsync(i));
            }
            catch (MmapException e) when (e.Kind == MmapErrorKind.IndexError)
            {
                break;
            }
        }
        return items;
    }

    public async ValueTask<bool> ContainsAsync(byte[] item) => await File.ContainsAsync(item);
    public async ValueTask<byte[]> ToArrayAsync() => await File.ToArrayAsync();
    public async ValueTask<string> ReprAsync() => await File.ReprAsync();
    public async ValueTask<bool> ClosedAsync() => await File.IsClosedAsync();
    public async ValueTask CloseAsync() => await File.CloseAsync();

    public async ValueTask<(bool ReadOnly, long Bytes)> AcquireBufferAsync()
    {
        var lease = await File.AcquireLeaseAsync();
        _leases++;
        return (lease.ReadOnly, lease.Bytes);
    }

    public async ValueTask ReleaseBufferAsync()
    {
        await File.ReleaseLeaseAsync();
        _leases--;
    }

    public async ValueTask<MapState> StateAsync()
    {
        if (_file is null)
        {
            return new MapState(null, null, null, _leases, null);
        }
        // One batch, so the snapshot is consistent and costs one round trip; on a closed handle it stops after IsClosed.
        var state = await _file.BatchAsync([IsClosed.Instance, Tell.Instance, Length.Instance, ToBytes.Instance]);
        if (((BooleanReply)state.Results[0]).Value)
        {
            return new MapState(true, null, null, _leases, null);
        }
        string hash = Convert.ToHexStringLower(SHA256.HashData(((BytesReply)state.Results[3]).Data))[..16];
        return new MapState(false, ((NumberReply)state.Results[1]).Value, ((NumberReply)state.Results[2]).Value, _leases, hash);
    }

    public async ValueTask DisposeAsync()
    {
        if (_file is not null)
        {
            while (_leases-- > 0)
            {
                await _file.ReleaseLeaseAsync();
            }
            await _file.DisposeAsync();
        }
    }
}
