namespace MmapActors.Benchmarks.Callers;

/// <summary>A caller whose operation is synchronous (the raw engine baselines): <see cref="Step"/> is the work.</summary>
internal abstract class SyncCaller : Caller
{
    /// <summary>Does one operation on the calling thread.</summary>
    public abstract void Step();

    /// <inheritdoc />
    public sealed override ValueTask StepAsync()
    {
        Step();
        return default;
    }
}
