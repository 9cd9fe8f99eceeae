namespace MmapActors.Remote.Server;

/// <summary>The private memory (anonymous and copy-on-write maps) every session of a server holds together, bounded by
/// <c>mmap.server.max-private-bytes</c>. Sessions run on several threads, so it is updated atomically.</summary>
internal sealed class PrivateMemoryPool(long limit)
{
    private long _used;

    /// <summary>Bytes held by every session together.</summary>
    public long Used => Interlocked.Read(ref _used);

    /// <summary>Takes <paramref name="bytes"/> unless that would pass the limit.</summary>
    public bool TryTake(long bytes)
    {
        while (true)
        {
            long current = Interlocked.Read(ref _used);
            if (bytes > limit - current)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _used, current + bytes, current) == current)
            {
                return true;
            }
        }
    }

    /// <summary>Counts a change that already happened, past the limit if need be, so that it is given back exactly.</summary>
    public void Force(long delta) => Interlocked.Add(ref _used, delta);

    /// <summary>Gives back bytes taken earlier.</summary>
    public void Give(long bytes) => Interlocked.Add(ref _used, -bytes);
}
