namespace MmapActors.Tests.Conformance;

[Trait("Category", "Conformance")]
public sealed class EngineConformanceTests
{
    [Theory]
    [MemberData(nameof(ConformanceTraces.All), MemberType = typeof(ConformanceTraces))]
    public async Task MemoryMap_replays_the_CPython_trace_without_a_mismatch(string trace)
    {
        var replayer = TraceReplayer.Load(trace);
        var problems = await replayer.ReplayAsync((path, handle) => new EngineMapUnderTest(path, handle));
        Assert.True(problems.Count == 0,
            $"{problems.Count} mismatches in {Path.GetFileName(trace)} ({replayer.ComparedOps} ops compared):\n" +
            string.Join("\n", problems.Take(25)));
        Assert.True(replayer.ComparedOps > 0, "the trace had no op to compare");
    }
}
