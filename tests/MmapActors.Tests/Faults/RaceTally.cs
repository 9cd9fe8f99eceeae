using System.Collections.Concurrent;

namespace MmapActors.Tests.Faults;

/// <summary>Counts the outcomes of racing accesses: successes, the one expected failure (OSError errno 5, or 28 on
/// a full filesystem when <see cref="AllowNoSpace"/>), and every other exception, kept for the assertion message.</summary>
internal sealed class RaceTally
{
    private long _succeeded;
    private long _failed;

    public bool AllowNoSpace { get; init; }

    public long Succeeded => Interlocked.Read(ref _succeeded);

    public long Failed => Interlocked.Read(ref _failed);

    public ConcurrentBag<string> Unexpected { get; } = [];

    public void Success() => Interlocked.Increment(ref _succeeded);

    public void Failure(Exception e)
    {
        if (e is MmapException { Kind: MmapErrorKind.OSError, Errno: 5 } || (AllowNoSpace && e is MmapException { Errno: 28 }))
        {
            Interlocked.Increment(ref _failed);
        }
        else if (Unexpected.Count < 20)
        {
            Unexpected.Add(e.ToString());
        }
    }

    public override string ToString() => $"{Succeeded} accesses succeeded, {Failed} failed with a typed errno, {Unexpected.Count} unexpected";
}
