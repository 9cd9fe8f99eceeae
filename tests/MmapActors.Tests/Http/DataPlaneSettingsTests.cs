using Akka.Configuration;
using MmapActors.Remote.Http;

namespace MmapActors.Tests.Http;

/// <summary>The <c>mmap.http</c> block as the data plane reads it.</summary>
public sealed class DataPlaneSettingsTests
{
    [Fact]
    public void Requests_run_on_the_IO_thread_by_default_and_not_when_switched_off()
    {
        Assert.True(DataPlaneSettings.FromConfig(ConfigurationFactory.ParseString("port = 4080")).RunsInline);
        Assert.True(new DataPlaneSettings().RunsInline);

        Assert.False(DataPlaneSettings.FromConfig(ConfigurationFactory.ParseString("port = 4080\ninline-scheduling = off")).RunsInline);
    }

    [Fact]
    public void HTTPS_never_runs_requests_on_the_IO_thread()
    {
        var settings = DataPlaneSettings.FromConfig(ConfigurationFactory.ParseString("port = 4080\ncertificate.path = \"server.pfx\""));

        Assert.True(settings.InlineScheduling);
        Assert.False(settings.RunsInline);
    }

    [Fact]
    public void Connections_are_limited_and_idle_or_slow_ones_timed_out_by_default()
    {
        var settings = DataPlaneSettings.FromConfig(ConfigurationFactory.ParseString("port = 4080"));

        Assert.Equal(1024, settings.MaxConnections);
        Assert.Equal(64, settings.EffectiveMaxConnectionsPerAddress);
        Assert.Equal(TimeSpan.FromSeconds(15), settings.EffectiveKeepAliveTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.EffectiveRequestHeadersTimeout);
        Assert.Equal(8 << 10, settings.MinBodyRate);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.EffectiveBodyGracePeriod);
        Assert.Equal(1024, new DataPlaneSettings().MaxConnections);
        Assert.Equal(64, new DataPlaneSettings().EffectiveMaxConnectionsPerAddress);
    }

    [Fact]
    public void Anonymous_writes_are_off_by_default_and_read_from_the_block()
    {
        Assert.False(DataPlaneSettings.FromConfig(ConfigurationFactory.ParseString("port = 4080")).AnonymousWrites);
        Assert.False(new DataPlaneSettings().AnonymousWrites);

        Assert.True(DataPlaneSettings.FromConfig(ConfigurationFactory.ParseString("port = 4080\nanonymous-writes = on")).AnonymousWrites);
    }

    [Fact]
    public void The_share_of_one_address_is_capped_at_the_connection_limit()
    {
        var settings = DataPlaneSettings.FromConfig(ConfigurationFactory.ParseString("port = 4080\nmax-connections = 8"));

        Assert.Equal(8, settings.EffectiveMaxConnectionsPerAddress);
    }

    [Fact]
    public void The_connection_limit_and_timeouts_are_read_from_the_block()
    {
        var settings = DataPlaneSettings.FromConfig(ConfigurationFactory.ParseString(
            "port = 4080\nmax-connections = 7\nkeep-alive-timeout = 5s\nrequest-headers-timeout = 2s\nmax-connections-per-address = 3\nmin-body-rate = 1MiB\nbody-grace-period = 3s"));

        Assert.Equal(7, settings.MaxConnections);
        Assert.Equal(3, settings.EffectiveMaxConnectionsPerAddress);
        Assert.Equal(1 << 20, settings.MinBodyRate);
        Assert.Equal(TimeSpan.FromSeconds(3), settings.EffectiveBodyGracePeriod);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.EffectiveKeepAliveTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.EffectiveRequestHeadersTimeout);
    }

    [Theory]
    [InlineData("max-connections = 0")]
    [InlineData("max-connections = -1")]
    [InlineData("keep-alive-timeout = 0s")]
    [InlineData("request-headers-timeout = 0s")]
    [InlineData("max-connections-per-address = 0")]
    [InlineData("min-body-rate = 0")]
    [InlineData("body-grace-period = 1s")]
    public void A_connection_limit_below_one_or_a_timeout_of_zero_is_refused_with_its_key(string line)
    {
        var settings = DataPlaneSettings.FromConfig(ConfigurationFactory.ParseString("port = 4080\n" + line));

        var error = Assert.Throws<ArgumentException>(settings.Validate);
        Assert.Contains(line.Split(' ')[0], error.Message);
    }
}
