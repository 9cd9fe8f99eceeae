namespace MmapActors.Hosting;

/// <summary>
/// The <c>mmap</c> settings an application sets in code or in <c>IConfiguration</c> (section
/// <see cref="SectionName"/>), applied by <see cref="MmapAkkaHostingExtensions.WithMmapActors(Akka.Hosting.AkkaConfigurationBuilder, MmapActorsOptions)"/>.
/// Every property is nullable: <see langword="null"/> keeps what the HOCON says (the application's own, then
/// <c>config/server.hocon</c> on a served node, then <c>config/mmap.hocon</c>).
/// </summary>
/// <example>
/// appsettings.json, or environment variables such as <c>MmapActors__IdleTimeout=00:00:05</c>:
/// <code>
/// { "MmapActors": { "IdleTimeout": "00:00:05", "Limits": { "MaxRangeLength": 2097152 } } }
/// </code>
/// </example>
public sealed class MmapActorsOptions
{
    /// <summary>The configuration section the options are bound from: <c>MmapActors</c>.</summary>
    public const string SectionName = "MmapActors";

    /// <summary><c>mmap.supervisor-name</c>: the supervisor lives at <c>/user/{name}</c>.</summary>
    public string? SupervisorName { get; set; }

    /// <summary><c>mmap.idle-timeout</c>: how long an owner whose last handle closed stays alive.</summary>
    public TimeSpan? IdleTimeout { get; set; }

    /// <summary><c>mmap.ask-timeout</c>: how long the client API waits for a reply.</summary>
    public TimeSpan? AskTimeout { get; set; }

    /// <summary><c>mmap.connect-timeout</c>: how long a remote client waits for a server's supervisor.</summary>
    public TimeSpan? ConnectTimeout { get; set; }

    /// <summary><c>mmap.shutdown-flush-timeout</c>: how long shutdown waits for every owner to flush and close.</summary>
    public TimeSpan? ShutdownFlushTimeout { get; set; }

    /// <summary><c>mmap.restart</c>: how owners that throw are restarted.</summary>
    public MmapRestartOptions Restart { get; set; } = new();

    /// <summary><c>mmap.limits</c>: bounds on requests, handles, file sizes and mapped bytes.</summary>
    public MmapLimitsOptions Limits { get; set; } = new();

    /// <summary><c>mmap.transfer</c>: how ReadRangeAsync/WriteRangeAsync stream a range.</summary>
    public MmapTransferOptions Transfer { get; set; } = new();
}
