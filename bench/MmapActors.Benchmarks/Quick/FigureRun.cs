using MmapActors.Benchmarks.Callers;

namespace MmapActors.Benchmarks.Quick;

/// <summary>One figure being measured over several slices: its callers (kept, with their state, across slices) and
/// what the slices completed.</summary>
internal sealed class FigureRun(FigureSpec spec, IReadOnlyList<Caller> callers)
{
    private readonly List<double> _slices = [];
    private long _steps;
    private TimeSpan _elapsed;
    private ProcessCounters _counters;

    /// <summary>How to measure the figure.</summary>
    public FigureSpec Spec { get; } = spec;

    /// <summary>The callers, created once.</summary>
    public IReadOnlyList<Caller> Callers { get; } = callers;

    /// <summary>The value of the last slice alone.</summary>
    public Figure LastSlice => new(Spec.Name, _slices[^1], Spec.Unit);

    /// <summary>The lowest and highest slice, as <c>min..max</c>: how much the machine moved during the run.</summary>
    public string Spread => $"{Report.FormatValue(new Figure(Spec.Name, _slices.Min(), Spec.Unit))} .. {Report.FormatValue(new Figure(Spec.Name, _slices.Max(), Spec.Unit))}";

    /// <summary>
    /// Process CPU time (all threads: callers, owner, dispatchers, GC), minor page faults, context switches and managed
    /// bytes allocated per caller step. Unlike ops/s these hardly move when other processes share the cores, so they are what to compare on a busy
    /// machine.
    /// </summary>
    public string PerStep => Spec.External is not null
        ? FormattableString.Invariant($"{_counters.Cpu.TotalMicroseconds / _steps,8:F2} us CPU  (of the python3 subprocess)")
        : FormattableString.Invariant(
        $"{_counters.Cpu.TotalMicroseconds / _steps,8:F2} us CPU  {(double)_counters.MinorFaults / _steps,7:F3} faults  {(double)_counters.ContextSwitches / _steps,6:F2} ctxsw  {(double)_counters.AllocatedBytes / _steps,8:F0} B alloc  per step");

    /// <summary>Records a slice.</summary>
    public void Add(long steps, TimeSpan elapsed, ProcessCounters counters)
    {
        _steps += steps;
        _elapsed += elapsed;
        _counters += counters;
        _slices.Add(Value(steps, elapsed));
    }

    /// <summary>The figure over every slice: all completed units over all measured time.</summary>
    public Figure ToFigure() => new(Spec.Name, Value(_steps, _elapsed), Spec.Unit);

    private double Value(long steps, TimeSpan elapsed) => steps * Spec.UnitsPerStep / elapsed.TotalSeconds * Spec.Scale;
}
