using MmapActors.Protocol;

namespace MmapActors.Remote.Server;

/// <summary>
/// A request as it arrives from the network: the serializer never hands a peer's request to an actor in its plain
/// form. Only the server's door (<see cref="ServerGateway"/>) and the peer's own session (<see cref="PeerSession"/>)
/// handle this type, so a request sent straight to any other actor — a supervisor or an owner whose path a peer
/// guessed — is unhandled there, whatever it carries.
/// </summary>
/// <param name="Request">The request, or <see langword="null"/> when it could not be read.</param>
/// <param name="Problem">Why it could not be read, or <see langword="null"/>.</param>
/// <param name="WireBytes">Its size on the wire.</param>
internal sealed record FromPeer(IMmapMessage? Request, string? Problem, int WireBytes)
{
    /// <summary>A request that could not be read.</summary>
    public static FromPeer Unreadable(string problem, int wireBytes) => new(null, problem, wireBytes);
}
