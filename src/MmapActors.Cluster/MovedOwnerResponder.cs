using Akka.Actor;
using Akka.Event;
using MmapActors.Protocol;

namespace MmapActors.Cluster;

/// <summary>
/// Answers what reached a file owner of this member after it stopped (its shard handed off, or it passivated): an
/// operation or an open that lands in dead letters is answered with <see cref="MmapErrorCode.OwnerMoved"/>, which tells
/// the caller that it was <em>not</em> applied, so the caller's handle re-opens the file and re-runs it on the new owner
/// at once instead of waiting for its time-out (docs/cluster.md).
/// </summary>
internal sealed class MovedOwnerResponder : UntypedActor
{
    private readonly string _entitiesPath;

    public MovedOwnerResponder(string entitiesPath) => _entitiesPath = entitiesPath;

    /// <summary>Props of the responder for the entities of the sharded type <paramref name="typeName"/>.</summary>
    public static Props Props(string typeName)
    {
        ArgumentException.ThrowIfNullOrEmpty(typeName);
        return Akka.Actor.Props.Create(() => new MovedOwnerResponder($"/system/sharding/{typeName}/"));
    }

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(DeadLetter));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    protected override void OnReceive(object message)
    {
        if (message is DeadLetter { Message: MapRequest or OpenMap } dead && !dead.Sender.IsNobody() &&
            !dead.Sender.Equals(Context.System.DeadLetters) &&
            dead.Recipient.Path.ToStringWithoutAddress().StartsWith(_entitiesPath, StringComparison.Ordinal))
        {
            string what = dead.Message is OpenMap ? "open" : ((MapRequest)dead.Message).Operation.GetType().Name;
            dead.Sender.Tell(new MmapError(MmapErrorKind.OSError,
                $"[Errno 116] Stale file handle: {what} reached an owner that has moved to another node or stopped; it was not applied", 116)
            {
                Code = MmapErrorCode.OwnerMoved,
            });
        }
    }
}
