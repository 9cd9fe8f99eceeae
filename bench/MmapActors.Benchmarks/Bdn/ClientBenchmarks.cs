using BenchmarkDotNet.Attributes;
using MmapActors.Benchmarks.Callers;
using MmapActors.Benchmarks.Setup;

namespace MmapActors.Benchmarks.Bdn;

/// <summary>The client figures (<c>local.*</c>): <see cref="IMappedFile"/> calls through the owner actor of one file.</summary>
[MemoryDiagnoser]
public class ClientBenchmarks
{
    /// <summary>Operations per invocation of the 16-caller benchmarks, split evenly between the callers.</summary>
    public const int OpsPerInvoke = 1024;

    private BenchEnvironment _env = null!;
    private ClientRead4kCaller _read4k = null!;
    private Caller[] _read4k16 = null!;
    private ClientBatch64Caller _batch64 = null!;
    private ClientRead1mCaller _read1m = null!;
    private Caller[] _write4k16 = null!;

    /// <summary>Writes the file, starts the system and opens and pre-faults one handle per caller.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _env = BenchEnvironment.CreateAsync().GetAwaiter().GetResult();
        var handles = _env.Handles;
        _read4k = new ClientRead4kCaller(handles[0], BenchFile.Length);
        _read4k16 = handles.Select(h => (Caller)new ClientRead4kCaller(h, BenchFile.Length)).ToArray();
        _batch64 = new ClientBatch64Caller(handles[0], BenchFile.Length);
        _read1m = new ClientRead1mCaller(handles[0], BenchFile.Length);
        _write4k16 = handles.Select(h => (Caller)new ClientWrite4kCaller(h, BenchFile.Length)).ToArray();
    }

    /// <summary>Closes the handles, terminates the system and deletes the file.</summary>
    [GlobalCleanup]
    public void Cleanup() => _env.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary><c>local.read4k.c1</c>: one random 4 KiB ReadAtAsync into a reused buffer.</summary>
    [Benchmark]
    public ValueTask Read4kC1() => _read4k.StepAsync();

    /// <summary><c>local.read4k.c16</c>: 16 callers, each with its own handle; reported per operation.</summary>
    [Benchmark(OperationsPerInvoke = OpsPerInvoke)]
    public Task Read4kC16() => Concurrently.RunAsync(_read4k16, OpsPerInvoke / _read4k16.Length);

    /// <summary><c>local.batch64.read4k</c>: one batch of 64 ReadAtInto; reported per range.</summary>
    [Benchmark(OperationsPerInvoke = ClientBatch64Caller.Ranges)]
    public ValueTask Batch64Read4k() => _batch64.StepAsync();

    /// <summary><c>local.read1m</c>: one sequential 1 MiB ReadAtAsync.</summary>
    [Benchmark]
    public ValueTask Read1m() => _read1m.StepAsync();

    /// <summary><c>local.write4k.c16</c>: 16 callers writing random 4 KiB blocks; reported per operation.</summary>
    [Benchmark(OperationsPerInvoke = OpsPerInvoke)]
    public Task Write4kC16() => Concurrently.RunAsync(_write4k16, OpsPerInvoke / _write4k16.Length);
}
