using System.Globalization;
using System.Text;
using Akka.Configuration;

namespace MmapActors.Hosting;

/// <summary>Turns the hosting options into <c>mmap</c> HOCON: only the values that are set, so that everything else
/// keeps its HOCON default.</summary>
internal static class MmapHocon
{
    /// <summary>The keys <paramref name="options"/> sets, as an <c>mmap</c> block (empty when it sets none).</summary>
    public static Config From(MmapActorsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var lines = new List<string>();
        Add(lines, "supervisor-name", options.SupervisorName is { } name ? Quote(name) : null);
        Add(lines, "idle-timeout", Duration(options.IdleTimeout));
        Add(lines, "ask-timeout", Duration(options.AskTimeout));
        Add(lines, "connect-timeout", Duration(options.ConnectTimeout));
        Add(lines, "shutdown-flush-timeout", Duration(options.ShutdownFlushTimeout));
        if (options.Restart is { } restart)
        {
            Add(lines, "restart.min-backoff", Duration(restart.MinBackoff));
            Add(lines, "restart.max-backoff", Duration(restart.MaxBackoff));
            Add(lines, "restart.max-restarts", Number(restart.MaxRestarts));
            Add(lines, "restart.within", Duration(restart.Within));
        }
        if (options.Limits is { } limits)
        {
            Add(lines, "limits.max-range-length", Number(limits.MaxRangeLength));
            Add(lines, "limits.max-handles-per-node", Number(limits.MaxHandlesPerNode));
            Add(lines, "limits.max-file-size", Number(limits.MaxFileSize));
            Add(lines, "limits.max-mapped-bytes", Number(limits.MaxMappedBytes));
            Add(lines, "limits.stale-upload-age", Duration(limits.StaleUploadAge));
        }
        if (options.Transfer is { } transfer)
        {
            Add(lines, "transfer.chunk-size", Number(transfer.ChunkSize));
            Add(lines, "transfer.window", Number(transfer.Window));
        }
        return Parse(lines);
    }

    /// <summary>The served root and read-only mode of a served node.</summary>
    public static Config ServedRoot(string root, bool readOnly) =>
        Parse([$"served-root = {Quote(root)}", $"read-only = {(readOnly ? "on" : "off")}"]);

    /// <summary>A HOCON string literal.</summary>
    public static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static Config Parse(List<string> lines)
    {
        if (lines.Count == 0)
        {
            return Config.Empty;
        }
        var text = new StringBuilder("mmap {\n");
        foreach (var line in lines)
        {
            text.Append("  ").Append(line).Append('\n');
        }
        return ConfigurationFactory.ParseString(text.Append('}').ToString());
    }

    private static void Add(List<string> lines, string key, string? value)
    {
        if (value is not null)
        {
            lines.Add($"{key} = {value}");
        }
    }

    // Milliseconds: HOCON durations are whole units, and nothing in mmap needs finer.
    private static string? Duration(TimeSpan? value) =>
        value is { } span ? ((long)span.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms" : null;

    private static string? Number(long? value) => value?.ToString(CultureInfo.InvariantCulture);
}
