namespace MmapActors.Benchmarks.Callers;

/// <summary><c>raw.write4k</c>: <see cref="MemoryMap.WriteAt"/> of a reused 4 KiB array at a random aligned offset.</summary>
internal sealed class RawWrite4kCaller(MemoryMap map) : SyncCaller
{
    private readonly byte[] _data = NewData();
    private readonly Random _random = new();

    /// <inheritdoc />
    public override void Step() => map.WriteAt(RandomOffset(_random, map.Length, Block), _data);

    private static byte[] NewData()
    {
        var data = new byte[Block];
        Random.Shared.NextBytes(data);
        return data;
    }
}
