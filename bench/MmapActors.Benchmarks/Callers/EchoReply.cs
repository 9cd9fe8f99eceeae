namespace MmapActors.Benchmarks.Callers;

/// <summary>What <see cref="EchoActor"/> answers: a small fresh object per call, as an owner's reply is.</summary>
internal sealed record EchoReply(long Sequence);
