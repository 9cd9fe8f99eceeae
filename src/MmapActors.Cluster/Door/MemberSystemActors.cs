using Akka.Actor;

namespace MmapActors.Cluster.Door;

/// <summary>Starts actors in the member system for the bridge, which lives in the door's system: they belong to the
/// member system on purpose (their refs travel between members), not to the bridge.</summary>
internal static class MemberSystemActors
{
    public static IActorRef Start(ActorSystem member, Props props, string? name = null) =>
        name is null ? member.ActorOf(props) : member.ActorOf(props, name);
}
