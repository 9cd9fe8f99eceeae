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
}
