using Akka.Actor;
using MmapActors.Protocol;

namespace MmapActors.Benchmarks.Callers;

/// <summary>Diagnostic: <c>local.read4k</c>'s message sent to the real owner with a <see cref="ReplySink"/> as the sender
/// instead of Ask: what the client would cost with that reply path.</summary>
internal sealed class SinkOwnerRead4kCaller(ActorSystem system, MapOpened handle, long fileLength) : Caller
{
    private readonly ReplySink _sink = new(system);
    private readonly Memory<byte> _buffer = new byte[Block];
    private readonly Random _random = new();

    /// <inheritdoc />
    public override async ValueTask StepAsync()
    {
        var request = new MapRequest(handle.HandleId, new ReadAtInto(RandomOffset(_random, fileLength, Block), _buffer));
        if (await _sink.AskAsync(handle.Owner, request).ConfigureAwait(false) is MmapError error)
        {
            throw error.ToException();
        }
    }
}
