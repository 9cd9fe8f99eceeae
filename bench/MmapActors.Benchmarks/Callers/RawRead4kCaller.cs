namespace MmapActors.Benchmarks.Callers;

/// <summary><c>raw.read4k</c>: <see cref="MemoryMap.ReadAt"/> of 4 KiB at a random aligned offset into a reused buffer.</summary>
internal sealed class RawRead4kCaller(MemoryMap map) : SyncCaller
{
    private readonly byte[] _buffer = new byte[Block];
    private readonly Random _random = new();

    /// <inheritdoc />
    public override void Step() => map.ReadAt(RandomOffset(_random, map.Length, Block), _buffer);
}
