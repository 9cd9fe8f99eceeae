using Akka.Actor;
using Akka.Configuration;

namespace MmapActors.Actors;

/// <summary>The <c>mmap</c> configuration block (see <c>config/mmap.hocon</c> for every key and its default).</summary>
public sealed record MmapSettings(
    string SupervisorName,
    TimeSpan IdleTimeout,
    TimeSpan AskTimeout,
    TimeSpan ShutdownFlushTimeout,
    TimeSpan MinBackoff,
    TimeSpan MaxBackoff,
    int MaxRestarts,
    TimeSpan RestartWithin,
    bool EnableTestHooks)
{
    /// <summary>The dispatcher owners run on.</summary>
    public const string OwnerDispatcherId = "mmap.owner-dispatcher";

    private static readonly Lazy<Config> Reference = new(() =>
    {
        using var stream = typeof(MmapSettings).Assembly.GetManifestResourceStream("MmapActors.reference.conf")
                           ?? throw new InvalidOperationException("MmapActors.reference.conf is not embedded");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    });

    /// <summary>The reference configuration: every key with its default.</summary>
    public static Config DefaultConfig => Reference.Value;

    /// <summary>Reads the settings of a system, after making sure the defaults are its fallback.</summary>
    public static MmapSettings Create(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        system.Settings.InjectTopLevelFallback(DefaultConfig);
        return Create(system.Settings.Config.GetConfig("mmap"));
    }

    /// <summary>Reads the settings from an <c>mmap</c> block, validating every value.</summary>
    public static MmapSettings Create(Config mmap)
    {
        ArgumentNullException.ThrowIfNull(mmap);
        var settings = new MmapSettings(
            mmap.GetString("supervisor-name"),
            mmap.GetTimeSpan("idle-timeout"),
            mmap.GetTimeSpan("ask-timeout"),
            mmap.GetTimeSpan("shutdown-flush-timeout"),
            mmap.GetTimeSpan("restart.min-backoff"),
            mmap.GetTimeSpan("restart.max-backoff"),
            mmap.GetInt("restart.max-restarts"),
            mmap.GetTimeSpan("restart.within"),
            mmap.GetBoolean("enable-test-hooks"));
        if (string.IsNullOrWhiteSpace(settings.SupervisorName))
        {
            throw new ConfigurationException("mmap.supervisor-name must not be empty");
        }
        if (settings.AskTimeout <= TimeSpan.Zero || settings.MinBackoff < TimeSpan.Zero || settings.MaxBackoff < settings.MinBackoff ||
            settings.IdleTimeout < TimeSpan.Zero || settings.MaxRestarts < 0)
        {
            throw new ConfigurationException(
                $"mmap settings out of range: ask-timeout {settings.AskTimeout}, idle-timeout {settings.IdleTimeout}, " +
                $"restart.min-backoff {settings.MinBackoff}, restart.max-backoff {settings.MaxBackoff}, restart.max-restarts {settings.MaxRestarts}");
        }
        return settings;
    }

    /// <summary>The back-off before re-opening after the <paramref name="restart"/>-th consecutive restart (1-based).</summary>
    internal TimeSpan BackoffFor(int restart)
    {
        double factor = Math.Pow(2, Math.Clamp(restart - 1, 0, 30));
        return TimeSpan.FromTicks((long)Math.Min(MaxBackoff.Ticks, MinBackoff.Ticks * factor));
    }
}
