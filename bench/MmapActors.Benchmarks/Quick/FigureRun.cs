using MmapActors.Benchmarks.Callers;

namespace MmapActors.Benchmarks.Quick;

/// <summary>One figure being measured over several slices: its callers (kept, with their state, across slices) and
/// what the slices completed.</summary>
internal sealed class FigureRun(FigureSpec spec, IReadOnlyList<Caller> callers)
{
    private readonly List<double> _slices = [];
    private long _steps;
    private TimeSpan _elapsed;
    private TimeSpan _cpu;

    /// <summary>How to measure the figure.</summary>
    public FigureSpec Spec { get; } = spec;

    /// <summary>The callers, created once.</summary>
    public IReadOnlyList<Caller> Callers { get; } = callers;

    /// <summary>The value of the last slice alone.</summary>
    public Figure LastSlice => new(Spec.Name, _slices[^1], Spec.Unit);

    /// <summary>The lowest and highest slice, as <c>min..max</c>: how much the machine moved during the run.</summary>
    public string Spread => $"{Report.FormatValue(new Figure(Spec.Name, _slices.Min(), Spec.Unit))} .. {Report.FormatValue(new Figure(Spec.Name, _slices.Max(), Spec.Unit))}";

    /// <summary>
    /// Process CPU time (all threads: callers, owner, dispatchers, GC) per caller step, in microseconds. Unlike ops/s it
    /// hardly moves when other processes share the cores, so it is what to compare on a busy machine.
    /// </summary>
    public double CpuMicrosecondsPerStep => _cpu.TotalMicroseconds / _steps;

    /// <summary>Records a slice.</summary>
    public void Add(long steps, TimeSpan elapsed, TimeSpan cpu)
    {
        _steps += steps;
        _elapsed += elapsed;
        _cpu += cpu;
        _slices.Add(Value(steps, elapsed));
    }

    /// <summary>The figure over every slice: all completed units over all measured time.</summary>
    public Figure ToFigure() => new(Spec.Name, Value(_steps, _elapsed), Spec.Unit);

    private double Value(long steps, TimeSpan elapsed) => steps * Spec.UnitsPerStep / elapsed.TotalSeconds * Spec.Scale;
}
