namespace MmapActors.Benchmarks.Callers;

/// <summary><c>remote.read1m.c16</c> (one of 16): <see cref="IMappedFile.ReadRangeAsync"/> of one random, aligned 1 MiB
/// range from a remote server into a sink that keeps nothing: the client-side twin of wrk's random 1 MiB ranges.</summary>
internal sealed class RemoteRead1mCaller(IMappedFile file, long fileLength, int seed) : Caller
{
    private readonly Random _random = new(seed);

    /// <inheritdoc />
    public override async ValueTask StepAsync()
    {
        long offset = (long)_random.Next((int)(fileLength / Chunk)) * Chunk;
        await file.ReadRangeAsync(offset, Chunk, Stream.Null).ConfigureAwait(false);
    }
}
