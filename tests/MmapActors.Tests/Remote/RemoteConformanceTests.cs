using MmapActors.Remote;
using MmapActors.Tests.Conformance;

namespace MmapActors.Tests.Remote;

/// <summary>The CPython traces replayed through a remote client: every op crosses loopback TCP to a server that
/// resolves the harness file beneath its served root.</summary>
[Trait("Category", "Conformance")]
public sealed class RemoteConformanceTests(RemoteServerFixture remote) : IClassFixture<RemoteServerFixture>
{
    [Theory]
    [MemberData(nameof(ConformanceTraces.All), MemberType = typeof(ConformanceTraces))]
    public async Task Remote_client_replays_the_CPython_trace_without_a_mismatch(string trace)
    {
        var replayer = TraceReplayer.Load(trace);
        var problems = await replayer.ReplayAsync(
            (path, _) => new ClientMapUnderTest(remote.Client, path is null ? null : Path.GetRelativePath(remote.Root, path)),
            workDirectory: remote.Root);
        Assert.True(problems.Count == 0,
            $"{problems.Count} mismatches in {Path.GetFileName(trace)} ({replayer.ComparedOps} ops compared):\n" +
            string.Join("\n", problems.Take(25)));
        Assert.True(replayer.ComparedOps > 0, "the trace had no op to compare");
    }
}
