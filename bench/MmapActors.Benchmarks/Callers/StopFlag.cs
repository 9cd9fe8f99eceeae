namespace MmapActors.Benchmarks.Callers;

/// <summary>A flag every caller polls once per operation: a volatile read, far cheaper than a cancellation token.</summary>
internal sealed class StopFlag
{
    private volatile bool _set;

    /// <summary>Whether callers should stop.</summary>
    public bool IsSet => _set;

    /// <summary>Tells callers to stop after their current operation.</summary>
    public void Set() => _set = true;
}
