namespace MmapActors.Benchmarks.Quick;

/// <summary>A floor on a figure's own value, in the figure's unit.</summary>
internal sealed record AbsoluteTarget(string Figure, double Min);
