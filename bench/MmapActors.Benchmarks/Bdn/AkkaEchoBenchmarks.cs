using Akka.Actor;
using Akka.Configuration;
using BenchmarkDotNet.Attributes;
using MmapActors.Benchmarks.Callers;

namespace MmapActors.Benchmarks.Bdn;

/// <summary>The actor baselines (<c>akka.echo.*</c>): Ask round trips to a bare actor that answers with a small object.</summary>
[MemoryDiagnoser]
public class AkkaEchoBenchmarks
{
    /// <summary>Operations per invocation of the concurrent benchmark, split evenly between its callers.</summary>
    public const int OpsPerInvoke = 1024;

    private ActorSystem _system = null!;
    private EchoCaller _single = null!;
    private Caller[] _sixteen = null!;

    /// <summary>Starts the system and the echo actor.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _system = ActorSystem.Create("echo-bench", ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING"));
        var echo = _system.ActorOf(EchoActor.Props(), "echo");
        _single = new EchoCaller(echo);
        _sixteen = Enumerable.Range(0, 16).Select(_ => (Caller)new EchoCaller(echo)).ToArray();
    }

    /// <summary>Terminates the system.</summary>
    [GlobalCleanup]
    public void Cleanup() => _system.Terminate().Wait();

    /// <summary><c>akka.echo.c1</c>: one Ask round trip.</summary>
    [Benchmark]
    public ValueTask EchoC1() => _single.StepAsync();

    /// <summary><c>akka.echo.c16</c>: 16 concurrent callers; reported per operation.</summary>
    [Benchmark(OperationsPerInvoke = OpsPerInvoke)]
    public Task EchoC16() => Concurrently.RunAsync(_sixteen, OpsPerInvoke / 16);
}
