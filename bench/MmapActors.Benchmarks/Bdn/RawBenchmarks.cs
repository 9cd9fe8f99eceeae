using BenchmarkDotNet.Attributes;
using MmapActors.Benchmarks.Callers;
using MmapActors.Benchmarks.Setup;

namespace MmapActors.Benchmarks.Bdn;

/// <summary>The engine baselines (<c>raw.*</c>): <see cref="MemoryMap"/> called directly on one thread, no actors.</summary>
[MemoryDiagnoser]
public class RawBenchmarks
{
    private BenchFile _file = null!;
    private MemoryMap _map = null!;
    private RawRead4kCaller _read4k = null!;
    private RawRead1mCaller _read1m = null!;
    private RawWrite4kCaller _write4k = null!;

    /// <summary>Writes the file, maps it and faults every page in.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _file = BenchFile.Create();
        _map = MemoryMap.Open(_file.Path);
        BenchFile.Prefault(_map);
        _read4k = new RawRead4kCaller(_map);
        _read1m = new RawRead1mCaller(_map);
        _write4k = new RawWrite4kCaller(_map);
    }

    /// <summary>Unmaps and deletes the file.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _map.Dispose();
        _file.Dispose();
    }

    /// <summary><c>raw.read4k</c>: one random 4 KiB read.</summary>
    [Benchmark]
    public void Read4k() => _read4k.Step();

    /// <summary><c>raw.read1m</c>: one sequential 1 MiB read.</summary>
    [Benchmark]
    public void Read1m() => _read1m.Step();

    /// <summary><c>raw.write4k</c>: one random 4 KiB write.</summary>
    [Benchmark]
    public void Write4k() => _write4k.Step();
}
