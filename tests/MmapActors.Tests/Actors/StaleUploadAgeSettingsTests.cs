using Akka.Configuration;
using MmapActors.Actors;

namespace MmapActors.Tests.Actors;

/// <summary><c>mmap.limits.stale-upload-age</c>: one hour unless set, 0 switches the sweep off, a negative age is refused.</summary>
public sealed class StaleUploadAgeSettingsTests
{
    private static MmapSettings Parse(string value) =>
        MmapSettings.Create(ConfigurationFactory.ParseString($"mmap.limits.stale-upload-age = {value}")
            .WithFallback(MmapSettings.DefaultConfig).GetConfig("mmap"));

    [Fact]
    public void Abandoned_uploads_are_removed_after_an_hour_unless_configured_otherwise()
    {
        Assert.Equal(TimeSpan.FromHours(1), MmapSettings.Create(MmapSettings.DefaultConfig.GetConfig("mmap")).StaleUploadAge);
        var server = MmapSettings.Create(MmapActors.Remote.RemoteConfig.Server.WithFallback(MmapSettings.DefaultConfig).GetConfig("mmap"));
        Assert.Equal(TimeSpan.FromHours(1), server.StaleUploadAge);
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("0s", 0)]
    [InlineData("30m", 30 * 60)]
    [InlineData("2h", 2 * 3600)]
    [InlineData("1d", 24 * 3600)]
    public void The_age_is_a_duration_and_0_turns_the_sweep_off(string value, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), Parse(value).StaleUploadAge);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("-1s")]
    [InlineData("-1h")]
    [InlineData("infinite")]
    [InlineData("soon")]
    public void A_negative_age_is_refused_naming_the_setting(string value)
    {
        var e = Assert.Throws<ConfigurationException>(() => Parse(value));
        Assert.Contains("mmap.limits.stale-upload-age", e.Message);
        Assert.Contains(value, e.Message);
    }
}
