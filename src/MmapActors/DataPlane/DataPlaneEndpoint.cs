namespace MmapActors.DataPlane;

/// <summary>An HTTP data plane serving the same root as this node's supervisor: where it listens and who signs its
/// tickets. Registered by the server that starts it (<see cref="Actors.MmapExtension.DataPlane"/>).</summary>
/// <param name="BaseUrl">The URL peers reach it at, ending in <c>/</c> (e.g. <c>http://127.0.0.1:4080/</c>).</param>
/// <param name="Tickets">The authority whose tickets it accepts.</param>
public sealed record DataPlaneEndpoint(Uri BaseUrl, TicketAuthority Tickets);
