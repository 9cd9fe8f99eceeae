namespace MmapActors.Benchmarks.Callers;

/// <summary><c>raw.read1m</c>: sequential 1 MiB <see cref="MemoryMap.ReadAt"/> into a reused buffer, wrapping at the end.</summary>
internal sealed class RawRead1mCaller(MemoryMap map) : SyncCaller
{
    private readonly byte[] _buffer = new byte[Chunk];
    private long _offset;

    /// <inheritdoc />
    public override void Step()
    {
        map.ReadAt(_offset, _buffer);
        _offset = (_offset + Chunk) % map.Length;
    }
}
