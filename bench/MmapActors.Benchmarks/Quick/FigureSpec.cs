using MmapActors.Benchmarks.Callers;

namespace MmapActors.Benchmarks.Quick;

/// <summary>How to measure one figure.</summary>
/// <param name="Name">The figure's name, e.g. <c>local.read4k.c16</c>.</param>
/// <param name="Unit">What the value counts per second.</param>
/// <param name="UnitsPerStep">How many units one caller step completes (64 ranges per batch, 2^20 bytes per 1 MiB read).</param>
/// <param name="Scale">Multiplies units/s into the unit (1e-9 for GB/s).</param>
/// <param name="Callers">The callers that run side by side.</param>
internal sealed record FigureSpec(string Name, string Unit, double UnitsPerStep, double Scale, Func<IReadOnlyList<Caller>> Callers)
{
    /// <summary>For a figure measured outside this process (the <c>cpython.*</c> figures): runs one slice of the given
    /// length and returns the steps completed, the time taken and that process's CPU time. Such a figure has no callers.</summary>
    public Func<TimeSpan, Task<(long Steps, TimeSpan Elapsed, TimeSpan Cpu)>>? External { get; init; }

    /// <summary>Operations per second.</summary>
    public static FigureSpec Ops(string name, Func<IReadOnlyList<Caller>> callers) => new(name, "ops/s", 1, 1, callers);

    /// <summary>Decimal gigabytes per second, for callers that move <paramref name="bytesPerStep"/> bytes a step.</summary>
    public static FigureSpec GigabytesPerSecond(string name, int bytesPerStep, Func<IReadOnlyList<Caller>> callers) =>
        new(name, "GB/s", bytesPerStep, 1e-9, callers);
}
