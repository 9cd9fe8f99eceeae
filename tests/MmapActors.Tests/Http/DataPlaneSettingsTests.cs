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
        Assert.Equal(TimeSpan.FromSeconds(60), settings.EffectiveKeepAliveTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.EffectiveRequestHeadersTimeout);
        Assert.Equal(1024, new DataPlaneSettings().MaxConnections);
    }

    [Fact]
    public void The_connection_limit_and_timeouts_are_read_from_the_block()
    {
        var settings = DataPlaneSettings.FromConfig(ConfigurationFactory.ParseString(
            "port = 4080\nmax-connections = 7\nkeep-alive-timeout = 5s\nrequest-headers-timeout = 2s"));

        Assert.Equal(7, settings.MaxConnections);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.EffectiveKeepAliveTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.EffectiveRequestHeadersTimeout);
    }

    [Theory]
    [InlineData("max-connections = 0")]
    [InlineData("max-connections = -1")]
    [InlineData("keep-alive-timeout = 0s")]
    [InlineData("request-headers-timeout = 0s")]
    public void A_connection_limit_below_one_or_a_timeout_of_zero_is_refused_with_its_key(string line)
    {
        var settings = DataPlaneSettings.FromConfig(ConfigurationFactory.ParseString("port = 4080\n" + line));

        var error = Assert.Throws<ArgumentException>(settings.Validate);
        Assert.Contains(line.Split(' ')[0], error.Message);
    }
}
