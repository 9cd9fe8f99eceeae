using Akka.Configuration;
using MmapActors.Remote;

namespace MmapActors.Tests.Remote;

/// <summary>Defaults of config/server.hocon that are choices about cost rather than behaviour.</summary>
public sealed class ServerConfigTests
{
    [Fact]
    public void A_server_scheduler_ticks_every_100_ms_so_that_no_tick_wakes_a_pool_thread_every_10_ms_on_a_busy_server()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(100), RemoteConfig.Server.GetTimeSpan("akka.scheduler.tick-duration"));
    }

    [Fact]
    public void A_clients_scheduler_keeps_the_default_tick()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(10), RemoteConfig.Client.WithFallback(ConfigurationFactory.Default()).GetTimeSpan("akka.scheduler.tick-duration"));
    }
}
