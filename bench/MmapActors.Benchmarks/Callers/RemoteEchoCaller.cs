using Akka.Actor;
using MmapActors.Protocol;

namespace MmapActors.Benchmarks.Callers;

/// <summary><c>remote.echo.*</c>: <c>await echo.Ask(request)</c> across Akka.Remote over loopback TCP, the floor of any
/// remote request/reply.</summary>
internal sealed class RemoteEchoCaller(IActorRef remoteEcho) : Caller
{
    private long _sequence;

    /// <inheritdoc />
    public override async ValueTask StepAsync() =>
        await remoteEcho.Ask<NumberReply>(new MapRequest(++_sequence, Tell.Instance)).ConfigureAwait(false);
}
