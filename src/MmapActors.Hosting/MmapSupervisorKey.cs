namespace MmapActors.Hosting;

/// <summary>
/// The key of the MmapActors supervisor in Akka.Hosting's <c>ActorRegistry</c>:
/// <c>registry.Get&lt;MmapSupervisorKey&gt;()</c> (or <c>IRequiredActor&lt;MmapSupervisorKey&gt;</c>) is the actor
/// that <see cref="MmapClient"/> talks to.
/// </summary>
public sealed class MmapSupervisorKey
{
    private MmapSupervisorKey()
    {
    }
}
