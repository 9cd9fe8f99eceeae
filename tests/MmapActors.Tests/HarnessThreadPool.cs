namespace MmapActors.Tests;

/// <summary>
/// Gives back, for one test, the thread-pool workers the test harness keeps blocked, so that the code under test sees
/// as many free workers as it would in a service.
/// </summary>
/// <remarks>
/// The pool starts with one worker per processor (two on the CI machine), and the harness holds two of them for the
/// whole run: vstest's message loop polls its socket on one (<c>TcpClientExtensions.MessageLoopAsync</c>), and
/// xunit's runner waits for the assembly on another (<c>VsTestRunner.RunTestsInAssembly</c>), both seen with
/// dotnet-stack. Work queued behind them then waited for the pool's starvation check, which adds a thread every half
/// second: OwnerIsolationTests saw single reads of an idle file wait 0.6 to 1 s in most runs on a quiet machine, and
/// 20 to 60 ms with two more workers. Scoped to the tests that measure latency, which run alone
/// (<see cref="NonParallelCollection"/>), so that the rest of the suite keeps the timing it has always had.
/// </remarks>
internal sealed class HarnessThreadPool : IDisposable
{
    /// <summary>Workers the harness holds for the whole run.</summary>
    internal const int HeldByHarness = 2;

    private readonly int _workers;
    private readonly int _completionPorts;

    private HarnessThreadPool(int workers, int completionPorts)
    {
        _workers = workers;
        _completionPorts = completionPorts;
    }

    /// <summary>Raises the pool's minimum by <see cref="HeldByHarness"/> until disposed.</summary>
    public static HarnessThreadPool ReturnHeldWorkers()
    {
        ThreadPool.GetMinThreads(out int workers, out int completionPorts);
        ThreadPool.SetMinThreads(workers + HeldByHarness, completionPorts);
        return new HarnessThreadPool(workers, completionPorts);
    }

    /// <summary>Restores the minimum the pool had.</summary>
    public void Dispose() => ThreadPool.SetMinThreads(_workers, _completionPorts);
}
