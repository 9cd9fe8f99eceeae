using Akka.TestKit.Xunit2;
using Xunit.Abstractions;

namespace MmapActors.Tests.Conformance;

/// <summary>The CPython traces replayed through the client API: every op is a message to the file's owner actor.</summary>
[Trait("Category", "Conformance")]
public sealed class ClientConformanceTests(ITestOutputHelper output) : TestKit("akka.loglevel = WARNING", output)
{
    [Theory]
    [MemberData(nameof(ConformanceTraces.All), MemberType = typeof(ConformanceTraces))]
    public async Task Client_API_replays_the_CPython_trace_without_a_mismatch(string trace)
    {
        await using var client = MmapClient.Create(Sys);
        var replayer = TraceReplayer.Load(trace);
        var problems = await replayer.ReplayAsync((path, _) => new ClientMapUnderTest(client, path));
        Assert.True(problems.Count == 0,
            $"{problems.Count} mismatches in {Path.GetFileName(trace)} ({replayer.ComparedOps} ops compared):\n" +
            string.Join("\n", problems.Take(25)));
        Assert.True(replayer.ComparedOps > 0, "the trace had no op to compare");
    }
}
