using Akka.Actor;

namespace MmapActors.Actors;

/// <summary>A local sender acting for a remote peer (a server's session passes the peer's requests on this way), so that
/// logs and refusals name the peer rather than the server itself.</summary>
internal interface IPeerSender
{
    /// <summary>The address of the peer the request came from.</summary>
    Address Peer { get; }
}
