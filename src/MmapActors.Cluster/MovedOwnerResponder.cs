using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using MmapActors.Protocol;

namespace MmapActors.Cluster;

/// <summary>
/// Answers, on this member, what was sent to a file owner or to a region and can no longer reach it, so that no caller
/// waits for its time-out when a reply can tell it at once:
/// <list type="bullet">
/// <item>an operation or an open that reached an owner of this member after it stopped (its shard handed off, or it
/// passivated);</item>
/// <item>an operation, an open or an owner query that this member could not send to another member (the association
/// failed: the member is gone or unreachable, and the region has not yet learnt where the file's shard moves).</item>
/// </list>
/// Each is answered with <see cref="MmapErrorCode.OwnerMoved"/>, which tells the caller that it was <em>not</em> applied:
/// the caller's handle re-opens the file (retrying while the shard finds its new home) and re-runs it (docs/cluster.md).
/// </summary>
internal sealed class MovedOwnerResponder : UntypedActor
{
    private readonly string _regionPath;

    public MovedOwnerResponder(string regionPath) => _regionPath = regionPath;

    /// <summary>Props of the responder for the region and entities of the sharded type <paramref name="typeName"/>.</summary>
    public static Props Props(string typeName)
    {
        ArgumentException.ThrowIfNullOrEmpty(typeName);
        return Akka.Actor.Props.Create(() => new MovedOwnerResponder($"/system/sharding/{typeName}"));
    }

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(DeadLetter));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    protected override void OnReceive(object message)
    {
        if (message is DeadLetter { Message: MapOpened { Owner: { } owner } opened })
        {
            // An open answered after its caller gave up (a re-open attempt that timed out while the owner moved): the
            // handle would stay open for nobody, so close it.
            owner.Tell(new MapRequest(opened.HandleId, Close.Instance), ActorRefs.NoSender);
            return;
        }
        if (message is not DeadLetter dead || dead.Sender.IsNobody() || dead.Sender.Equals(Context.System.DeadLetters) ||
            !IsRegionOrEntity(dead.Recipient.Path.ToStringWithoutAddress()))
        {
            return;
        }
        string? what = (dead.Message is ShardingEnvelope envelope ? envelope.Message : dead.Message) switch
        {
            MapRequest request => request.Operation.GetType().Name,
            OpenMap => "open",
            GetOwner => "owner query",
            _ => null,
        };
        if (what is not null)
        {
            dead.Sender.Tell(new MmapError(MmapErrorKind.OSError,
                $"[Errno 116] Stale file handle: {what} did not reach the file's owner, which has moved or whose node is gone; it was not applied", 116)
            {
                Code = MmapErrorCode.OwnerMoved,
            });
        }
    }

    private bool IsRegionOrEntity(string path) =>
        path.StartsWith(_regionPath, StringComparison.Ordinal) && (path.Length == _regionPath.Length || path[_regionPath.Length] == '/');
}
