using Akka.Actor;

namespace MmapActors.Benchmarks.Callers;

/// <summary>The bare actor of the <c>akka.echo.*</c> baselines: answers every request with a small object, nothing more.</summary>
internal sealed class EchoActor : UntypedActor
{
    /// <summary>Props on the default dispatcher, or on <paramref name="dispatcher"/> when given.</summary>
    public static Props Props(string? dispatcher = null)
    {
        var props = Akka.Actor.Props.Create(() => new EchoActor());
        return dispatcher is null ? props : props.WithDispatcher(dispatcher);
    }

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        if (message is EchoRequest request)
        {
            Sender.Tell(new EchoReply(request.Sequence));
        }
        else
        {
            Unhandled(message);
        }
    }
}
