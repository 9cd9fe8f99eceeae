namespace MmapActors.Benchmarks.Callers;

/// <summary>What an <see cref="EchoCaller"/> sends: a small fresh object per call, as a client request is.</summary>
internal sealed record EchoRequest(long Sequence);
