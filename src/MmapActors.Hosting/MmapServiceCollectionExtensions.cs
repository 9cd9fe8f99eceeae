using Akka.Actor;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MmapActors.Hosting;

/// <summary>The dependency-injection half of the hosting integration (the builder half is <see cref="MmapAkkaHostingExtensions"/>).</summary>
public static class MmapServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="MmapClient"/> as a singleton of the ActorSystem that <c>AddAkka</c> registers, and binds
    /// <see cref="MmapActorsOptions"/> (section <c>MmapActors</c>) and <see cref="MmapServerHostingOptions"/>
    /// (section <c>MmapActors:Server</c>) from <paramref name="configuration"/> when it is given.
    /// </summary>
    /// <remarks>
    /// This is a separate call because Akka.Hosting runs the <c>AddAkka</c> delegate, and so
    /// <c>WithMmapActors</c>, only when the ActorSystem is first resolved: the service collection is built by then.
    /// The options reach the ActorSystem through <c>WithMmapActors(sp)</c> / <c>WithMmapServer(sp)</c>.
    /// </remarks>
    public static IServiceCollection AddMmapActors(this IServiceCollection services, IConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var actors = services.AddOptions<MmapActorsOptions>();
        var server = services.AddOptions<MmapServerHostingOptions>();
        if (configuration is not null)
        {
            actors.Bind(configuration.GetSection(MmapActorsOptions.SectionName));
            server.Bind(configuration.GetSection(MmapServerHostingOptions.SectionName));
        }
        // Released with the ActorSystem: its session dies with the system, whose shutdown flushes and closes every map.
        services.TryAddSingleton(sp => MmapClient.Create(sp.GetRequiredService<ActorSystem>()));
        return services;
    }
}
