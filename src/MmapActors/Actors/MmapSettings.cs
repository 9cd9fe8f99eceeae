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
    /// <summary>Served root directory; every path is resolved beneath it. Empty: any path (trusted, local use).</summary>
    public string ServedRoot { get; init; } = "";

    /// <summary>Whether files are only ever opened read-only.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>Largest range one request may carry or ask for; 0 = no limit.</summary>
    public long MaxRangeLength { get; init; }

    /// <summary>Open handles one client node may hold; 0 = no limit.</summary>
    public int MaxHandlesPerNode { get; init; }

    /// <summary>Largest file length a resize may produce; 0 = no limit.</summary>
    public long MaxFileSize { get; init; }

    /// <summary>Total bytes mapped by all handles; 0 = no limit.</summary>
    public long MaxMappedBytes { get; init; }

    /// <summary>Free space every create and growth leaves on the file's filesystem (<c>mmap.limits.min-free-disk</c>);
    /// <see cref="Actors.MinFreeDisk.Off"/> = no floor.</summary>
    public MinFreeDisk MinFreeDisk { get; init; } = MinFreeDisk.Off;

    /// <summary>Age past which a temporary upload (<c>.name.&lt;16 hex&gt;.part</c>) left by a killed server is removed
    /// (<c>mmap.limits.stale-upload-age</c>); <see cref="TimeSpan.Zero"/> = never.</summary>
    public TimeSpan StaleUploadAge { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Bytes per chunk of a streamed range.</summary>
    public int TransferChunkSize { get; init; } = 64 << 10;

    /// <summary>Chunks of a streamed range in flight at once.</summary>
    public int TransferWindow { get; init; } = 16;

    /// <summary>The dispatcher owners run their hot path on (blocking work runs on threads of its own).</summary>
    public const string OwnerDispatcherId = "mmap.owner-dispatcher";

    /// <summary>The dispatcher the supervisor runs on: a thread of its own, since it resolves paths and creates files.</summary>
    public const string SupervisorDispatcherId = "mmap.supervisor-dispatcher";

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
            mmap.GetBoolean("enable-test-hooks"))
        {
            ServedRoot = mmap.GetString("served-root") ?? "",
            ReadOnly = mmap.GetBoolean("read-only"),
            MaxRangeLength = mmap.GetByteSize("limits.max-range-length") ?? 0,
            MaxHandlesPerNode = mmap.GetInt("limits.max-handles-per-node"),
            MaxFileSize = mmap.GetByteSize("limits.max-file-size") ?? 0,
            MaxMappedBytes = mmap.GetByteSize("limits.max-mapped-bytes") ?? 0,
            MinFreeDisk = MinFreeDisk.Read(mmap, "limits.min-free-disk"),
            StaleUploadAge = ReadStaleUploadAge(mmap),
            TransferChunkSize = checked((int)(mmap.GetByteSize("transfer.chunk-size") ?? (64 << 10))),
            TransferWindow = mmap.GetInt("transfer.window"),
        };
        if (string.IsNullOrWhiteSpace(settings.SupervisorName))
        {
            throw new ConfigurationException("mmap.supervisor-name must not be empty");
        }
        if (settings.AskTimeout <= TimeSpan.Zero || settings.MinBackoff < TimeSpan.Zero || settings.MaxBackoff < settings.MinBackoff ||
            settings.IdleTimeout < TimeSpan.Zero || settings.MaxRestarts < 0 || settings.MaxRangeLength < 0 ||
            settings.MaxHandlesPerNode < 0 || settings.MaxFileSize < 0 || settings.MaxMappedBytes < 0 ||
            settings.TransferChunkSize <= 0 || settings.TransferWindow <= 0)
        {
            throw new ConfigurationException(
                $"mmap settings out of range: ask-timeout {settings.AskTimeout}, idle-timeout {settings.IdleTimeout}, " +
                $"restart.min-backoff {settings.MinBackoff}, restart.max-backoff {settings.MaxBackoff}, restart.max-restarts {settings.MaxRestarts}, " +
                $"limits {settings.MaxRangeLength}/{settings.MaxHandlesPerNode}/{settings.MaxFileSize}/{settings.MaxMappedBytes}, " +
                $"transfer {settings.TransferChunkSize} x {settings.TransferWindow}");
        }
        return settings;
    }

    /// <summary><c>limits.stale-upload-age</c>: 0 or a positive duration. HOCON's own parse refuses "-1h" with a bare
    /// FormatException and reads "infinite" as -1 ms; both become one error that names the key.</summary>
    private static TimeSpan ReadStaleUploadAge(Config mmap)
    {
        const string Key = "limits.stale-upload-age";
        TimeSpan age;
        try
        {
            age = mmap.GetTimeSpan(Key, TimeSpan.FromHours(1));
        }
        catch (FormatException)
        {
            age = TimeSpan.MinValue;
        }
        return age >= TimeSpan.Zero
            ? age
            : throw new ConfigurationException(
                $"mmap.{Key} must be 0 (never remove abandoned uploads) or a positive duration such as 1h, not '{mmap.GetString(Key)}'");
    }

    /// <summary>The back-off before re-opening after the <paramref name="restart"/>-th consecutive restart (1-based).</summary>
    internal TimeSpan BackoffFor(int restart)
    {
        double factor = Math.Pow(2, Math.Clamp(restart - 1, 0, 30));
        return TimeSpan.FromTicks((long)Math.Min(MaxBackoff.Ticks, MinBackoff.Ticks * factor));
    }
}
