using Akka.Actor;
using MmapActors.Protocol;

namespace MmapActors.Benchmarks.Callers;

/// <summary>What a <see cref="RemoteEchoCaller"/> sends over Akka.Remote: bound to the same serializer (Hyperion, through
/// <see cref="IMmapMessage"/>) as every MmapActors message, so the baseline pays what the protocol pays.</summary>
public sealed record RemoteEchoRequest(long Sequence) : IMmapMessage;

/// <summary>The reply of the remote echo actor.</summary>
public sealed record RemoteEchoReply(long Sequence) : IMmapMessage;

/// <summary>The bare actor behind <c>remote.echo.*</c>: answers every request with a small object.</summary>
internal sealed class RemoteEchoActor : UntypedActor
{
    /// <summary>Props for the echo actor.</summary>
    public static Props Props() => Akka.Actor.Props.Create(() => new RemoteEchoActor());

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        if (message is RemoteEchoRequest request)
        {
            Sender.Tell(new RemoteEchoReply(request.Sequence));
        }
        else
        {
            Unhandled(message);
        }
    }
}
