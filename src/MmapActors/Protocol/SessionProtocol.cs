using Akka.Actor;

// The session protocol between a remote client and an MmapActors server (MmapActors.Remote). A peer first sends
// Connect to the server's one door (/user/mmap-server); the reply names a session actor of its own, which from then
// on takes the client's OpenMap, CreateFile, ListDirectory, GetStats and MapRequest messages. Everything a peer may
// do goes through its session: it holds the peer's handles and budgets, and it is released when the peer leaves.
namespace MmapActors.Protocol;

/// <summary>Client → server door: opens a session. Reply: <see cref="Connected"/> or <see cref="MmapError"/>.</summary>
/// <param name="Client">The client's session actor: the server sends it <see cref="Checkpoint"/>s and <see cref="SessionClosed"/>.</param>
/// <param name="ProtocolVersion">The client's protocol version (<see cref="Current"/>); a server refuses versions it does not speak.</param>
public sealed record Connect(IActorRef Client, int ProtocolVersion) : IMmapMessage
{
    /// <summary>The protocol version this library speaks.</summary>
    public const int Current = 1;
}

/// <summary>Reply to <see cref="Connect"/>: the session that serves this client, and how often the server checks in.</summary>
/// <param name="Session">Send every further request here; no other server actor serves a peer.</param>
/// <param name="CheckpointInterval">The server sends a <see cref="Checkpoint"/> at least this often; silence for several
/// intervals means the server is gone.</param>
public sealed record Connected(IActorRef Session, TimeSpan CheckpointInterval) : IMmapMessage;

/// <summary>Client → session: ends the session at once, releasing its handles. Reply: <see cref="Done"/>.</summary>
public sealed record Disconnect : IMmapMessage
{
    /// <summary>The single instance.</summary>
    public static Disconnect Instance { get; } = new();
}

/// <summary>
/// Session → client, in the same stream as the replies: answering it with <see cref="CheckpointAck"/> proves that the
/// client has read every reply sent before it. A server stops serving a session whose unacknowledged replies pass
/// <c>mmap.server.max-unacknowledged-reply-bytes</c>, and closes it when the client stays silent for
/// <c>mmap.server.peer-timeout</c>; the checkpoints also tell the client that its server is alive.
/// </summary>
public sealed record Checkpoint(long Sequence) : IMmapMessage;

/// <summary>Client → session: answers <see cref="Checkpoint"/> <paramref name="Sequence"/>.</summary>
public sealed record CheckpointAck(long Sequence) : IMmapMessage;

/// <summary>Session → client: the server closed the session (and released its handles); every later request fails.</summary>
/// <param name="Reason">Why, for the client's error messages.</param>
public sealed record SessionClosed(string Reason) : IMmapMessage;
