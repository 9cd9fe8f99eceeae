namespace MmapActors.Benchmarks.Callers;

/// <summary><c>local.read1m</c>: sequential 1 MiB <see cref="IMappedFile.ReadAtAsync(long, Memory{byte}, CancellationToken)"/>
/// into a reused buffer, wrapping at the end.</summary>
internal sealed class ClientRead1mCaller(IMappedFile file, long fileLength) : Caller
{
    private readonly Memory<byte> _buffer = new byte[Chunk];
    private long _offset;

    /// <inheritdoc />
    public override ValueTask StepAsync()
    {
        var read = file.ReadAtAsync(_offset, _buffer);
        _offset = (_offset + Chunk) % fileLength;
        return new ValueTask(read);
    }
}
