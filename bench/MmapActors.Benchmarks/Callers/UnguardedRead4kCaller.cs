namespace MmapActors.Benchmarks.Callers;

/// <summary><c>diag.raw.read4k.unguarded</c>: what <c>raw.read4k</c> would cost without the SIGBUS guard, a plain span copy of
/// 4 KiB from a <see cref="MemoryMapLease"/> of the same map (leases are unguarded) into a reused buffer.</summary>
internal sealed class UnguardedRead4kCaller(MemoryMapLease lease) : SyncCaller
{
    private readonly byte[] _buffer = new byte[Block];
    private readonly Random _random = new();

    /// <inheritdoc />
    public override void Step() => lease.GetReadOnlySpan(RandomOffset(_random, lease.Length, Block), Block).CopyTo(_buffer);
}
