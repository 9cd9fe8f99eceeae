using Akka.Actor;

namespace MmapActors.Benchmarks.Callers;

/// <summary><c>akka.echo.*</c>: <c>await echo.Ask&lt;object&gt;(request)</c>, the floor of any request/reply through an actor.
/// With a <paramref name="timeout"/> it asks as the client API does (<c>Ask(message, timeout)</c>), to price the timer.</summary>
internal sealed class EchoCaller(IActorRef echo, TimeSpan? timeout = null) : Caller
{
    private long _sequence;

    /// <inheritdoc />
    public override async ValueTask StepAsync() =>
        await echo.Ask<object>(new EchoRequest(++_sequence), timeout).ConfigureAwait(false);
}
