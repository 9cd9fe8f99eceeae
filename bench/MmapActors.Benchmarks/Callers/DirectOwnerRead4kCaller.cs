using Akka.Actor;
using MmapActors.Protocol;

namespace MmapActors.Benchmarks.Callers;

/// <summary>Diagnostic: the message of <c>local.read4k</c> (<see cref="MapRequest"/> with <see cref="ReadAtInto"/>) asked of the
/// owner directly, without the client API and without an Ask timeout, to price what the client adds.</summary>
internal sealed class DirectOwnerRead4kCaller(MapOpened handle, long fileLength) : Caller
{
    private readonly Memory<byte> _buffer = new byte[Block];
    private readonly Random _random = new();

    /// <inheritdoc />
    public override async ValueTask StepAsync()
    {
        var reply = await handle.Owner.Ask<MapReply>(
            new MapRequest(handle.HandleId, new ReadAtInto(RandomOffset(_random, fileLength, Block), _buffer))).ConfigureAwait(false);
        if (reply is MmapError error)
        {
            throw error.ToException();
        }
    }
}
