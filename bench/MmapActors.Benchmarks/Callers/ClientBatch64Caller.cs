using MmapActors.Protocol;

namespace MmapActors.Benchmarks.Callers;

/// <summary><c>local.batch64.read4k</c>: one <see cref="IMappedFile.BatchAsync"/> of <see cref="Ranges"/> <see cref="ReadAtInto"/>
/// operations at random aligned offsets, each into its own 4 KiB slice of a reused 256 KiB buffer.</summary>
internal sealed class ClientBatch64Caller(IMappedFile file, long fileLength) : Caller
{
    /// <summary>Ranges per batch: the figure counts ranges, not batches.</summary>
    public const int Ranges = 64;

    private readonly byte[] _buffer = new byte[Ranges * Block];
    // Reused: the owner is done with the list once the reply arrives, and the next batch is built only then.
    private readonly MapOperation[] _operations = new MapOperation[Ranges];
    private readonly Random _random = new();

    /// <inheritdoc />
    public override async ValueTask StepAsync()
    {
        for (int i = 0; i < _operations.Length; i++)
        {
            _operations[i] = new ReadAtInto(RandomOffset(_random, fileLength, Block), _buffer.AsMemory(i * Block, Block));
        }
        var reply = await file.BatchAsync(_operations).ConfigureAwait(false);
        if (reply.Error is { } error)
        {
            throw error.ToException();
        }
    }
}
