namespace MmapActors.Benchmarks.Callers;

/// <summary><c>remote.stream</c>: one <see cref="IMappedFile.ReadRangeAsync"/> of <see cref="RangeBytes"/> bytes from a remote
/// server into a sink that keeps nothing, so the figure is the transfer alone.</summary>
internal sealed class RemoteStreamCaller(IMappedFile file, long fileLength) : Caller
{
    /// <summary>64 MiB per step.</summary>
    public const int RangeBytes = 64 << 20;

    private long _offset;

    /// <inheritdoc />
    public override async ValueTask StepAsync()
    {
        if (_offset + RangeBytes > fileLength)
        {
            _offset = 0;
        }
        await file.ReadRangeAsync(_offset, RangeBytes, Stream.Null).ConfigureAwait(false);
        _offset += RangeBytes;
    }
}
