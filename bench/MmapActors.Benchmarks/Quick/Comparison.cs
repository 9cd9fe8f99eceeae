namespace MmapActors.Benchmarks.Quick;

/// <summary>A figure next to a baseline measured in the same run; <paramref name="MinRatio"/> is the target, if any.</summary>
internal sealed record Comparison(string Figure, string Baseline, double? MinRatio);
