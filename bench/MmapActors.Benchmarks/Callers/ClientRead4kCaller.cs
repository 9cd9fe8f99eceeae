namespace MmapActors.Benchmarks.Callers;

/// <summary><c>local.read4k.*</c>: <see cref="IMappedFile.ReadAtAsync(long, Memory{byte}, CancellationToken)"/> of 4 KiB at a
/// random aligned offset into the caller's reused buffer.</summary>
internal sealed class ClientRead4kCaller(IMappedFile file, long fileLength) : Caller
{
    private readonly Memory<byte> _buffer = new byte[Block];
    private readonly Random _random = new();

    /// <inheritdoc />
    public override ValueTask StepAsync() =>
        new(file.ReadAtAsync(RandomOffset(_random, fileLength, Block), _buffer));
}
