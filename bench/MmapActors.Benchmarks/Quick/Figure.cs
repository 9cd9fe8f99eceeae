namespace MmapActors.Benchmarks.Quick;

/// <summary>One measured figure: what <c>--json</c> writes for it.</summary>
internal sealed record Figure(string Name, double Value, string Unit);
