namespace MmapActors.Benchmarks.Callers;

/// <summary><c>local.write4k.*</c>: <see cref="IMappedFile.WriteAtAsync"/> of a reused 4 KiB array at a random aligned offset
/// (an exact-length array, so the client sends it without copying).</summary>
internal sealed class ClientWrite4kCaller(IMappedFile file, long fileLength) : Caller
{
    private readonly byte[] _data = NewData();
    private readonly Random _random = new();

    /// <inheritdoc />
    public override ValueTask StepAsync() => new(file.WriteAtAsync(RandomOffset(_random, fileLength, Block), _data));

    private static byte[] NewData()
    {
        var data = new byte[Block];
        Random.Shared.NextBytes(data);
        return data;
    }
}
