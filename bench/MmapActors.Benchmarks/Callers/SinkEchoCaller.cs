using Akka.Actor;

namespace MmapActors.Benchmarks.Callers;

/// <summary>Diagnostic: the echo round trip through a <see cref="ReplySink"/> instead of Ask.</summary>
internal sealed class SinkEchoCaller(ActorSystem system, IActorRef echo) : Caller
{
    private readonly ReplySink _sink = new(system);
    private long _sequence;

    /// <inheritdoc />
    public override async ValueTask StepAsync() => await _sink.AskAsync(echo, new EchoRequest(++_sequence)).ConfigureAwait(false);
}
