namespace MmapActors.Tests.Conformance;

/// <summary>The CPython traces replayed through <see cref="Owner.SharedFile"/> directly, with a second handle sharing the
/// subject's mapping and moving its own cursor after every op.</summary>
[Trait("Category", "Conformance")]
public sealed class SharedFileConformanceTests
{
    [Theory]
    [MemberData(nameof(ConformanceTraces.All), MemberType = typeof(ConformanceTraces))]
    public async Task SharedFile_replays_the_CPython_trace_beside_a_second_handle_without_a_mismatch(string trace)
    {
        var replayer = TraceReplayer.Load(trace);
        var problems = await replayer.ReplayAsync((path, _) => new SharedFileMapUnderTest(path));
        Assert.True(problems.Count == 0,
            $"{problems.Count} mismatches in {Path.GetFileName(trace)} ({replayer.ComparedOps} ops compared):\n" +
            string.Join("\n", problems.Take(25)));
        Assert.True(replayer.ComparedOps > 0, "the trace had no op to compare");
    }
}
