namespace MmapActors.Remote.Serialization;

/// <summary>Bytes from a peer that are not a well-formed protocol message. Never leaves the serializer: it becomes an
/// <see cref="Server.FromPeer"/> that says why, so that the request is answered with an error instead of silence.</summary>
internal sealed class ProtocolViolationException(string message) : Exception(message);
