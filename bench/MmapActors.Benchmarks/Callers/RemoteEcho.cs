using Akka.Actor;
using MmapActors.Protocol;

namespace MmapActors.Benchmarks.Callers;

/// <summary>The bare actor behind <c>remote.echo.*</c>: answers every message with a small protocol reply. Its callers
/// send a small protocol request (<c>MapRequest(n, Tell)</c>), so the baseline pays what the protocol's serializer and
/// Akka.Remote pay, and nothing of a file, a session or an owner.</summary>
internal sealed class RemoteEchoActor : UntypedActor
{
    private static readonly NumberReply Reply = new(0);

    /// <summary>Props for the echo actor.</summary>
    public static Props Props() => Akka.Actor.Props.Create(() => new RemoteEchoActor());

    /// <inheritdoc />
    protected override void OnReceive(object message) => Sender.Tell(Reply);
}
