using Akka.Actor;

// Messages between the supervisor and its owners, on one node. Not part of the public protocol.
namespace MmapActors.Actors;

/// <summary>Supervisor → owner: the client died or disconnected; close all of its handles.</summary>
internal sealed record ReleaseClient(IActorRef Client);

/// <summary>Owner → itself: the idle period after the last handle closed has passed.</summary>
internal sealed record IdleCheck(long Generation);

/// <summary>Owner → supervisor: no handles are open; <paramref name="OpensSeen"/> lets the supervisor tell whether
/// an <c>OpenMap</c> is still on its way to the owner.</summary>
internal sealed record OwnerIdle(long OpensSeen);

/// <summary>Owner → itself: the restart back-off has passed; re-open the maps.</summary>
internal sealed record Reopen
{
    public static Reopen Instance { get; } = new();
}

/// <summary>Supervisor → itself, once started: sweep the served root of abandoned uploads (after <c>PreStart</c>, so a
/// large root never delays the start).</summary>
internal sealed record SweepServedRoot
{
    public static SweepServedRoot Instance { get; } = new();
}

/// <summary>Supervisor → owner: report <see cref="Protocol.FileStats"/>.</summary>
internal sealed record GetFileStats
{
    public static GetFileStats Instance { get; } = new();
}

/// <summary>Supervisor → owner: an open whose path the supervisor already resolved beneath the served root; the owner
/// maps <paramref name="File"/>'s descriptor (never re-opening by path, which would race) and disposes it.</summary>
internal sealed record OpenServedFile(Protocol.OpenMap Open, ServedFile File);

/// <summary>Owner → itself: work run off the hot path is done; <paramref name="Complete"/> (null when it failed) finishes
/// it in the actor.</summary>
internal sealed record OffHotPathDone(Action? Complete, Exception? Failure, object Request, IActorRef Sender);

/// <summary>Session → supervisor: a remote peer's <see cref="Protocol.OpenDataPlane"/>, with the host of the peer's
/// address, which the ticket is bound to (the session's own address would be the server's).</summary>
internal sealed record IssueDataPlaneTicket(Protocol.OpenDataPlane Open, string? PeerHost);

/// <summary>Inline caller → owner: an operation run inline under the file's turn failed unexpectedly; the owner restarts
/// (it does so when it next takes the turn, which this message makes happen at once).</summary>
internal sealed record TurnFailed(Exception Reason);
