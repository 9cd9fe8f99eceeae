using System.Globalization;

namespace MmapActors.Benchmarks.Quick;

/// <summary>The arguments of <c>quick</c>: <c>[--json FILE] [--seconds N] [--warmup N] [--filter TEXT]... [--rounds N] [--diag] [--config HOCON]</c>.</summary>
/// <param name="JsonPath">Where to write the figures as JSON, if anywhere.</param>
/// <param name="Duration">How long each figure is measured (default 3 s).</param>
/// <param name="Warmup">How long each figure runs before it is measured (default 2 s: tiered JIT needs that long to reach its optimized code when the machine is busy).</param>
/// <param name="Rounds">Each figure's time is split into this many slices, interleaved with the other figures' (default 3).</param>
/// <param name="Filters">Measure only figures whose names contain one of these (and their baselines).</param>
/// <param name="WithBaselines">Whether filtered figures bring their baselines along (off with <c>--no-baselines</c>, to
/// profile one figure alone).</param>
/// <param name="Diagnostics">Also measure the <c>diag.*</c> figures that take the client path apart.</param>
/// <param name="ExtraConfig">HOCON put before the bench's own ActorSystem configuration, to try a setting (e.g. another
/// <c>mmap.owner-dispatcher</c>) without changing the library.</param>
internal sealed record QuickOptions(string? JsonPath, TimeSpan Duration, TimeSpan Warmup, int Rounds, IReadOnlyList<string> Filters, bool WithBaselines, bool Diagnostics,
    string? ExtraConfig)
{
    /// <summary>Parses the arguments after <c>quick</c>; throws <see cref="ArgumentException"/> with a usage line.</summary>
    public static QuickOptions Parse(IReadOnlyList<string> args)
    {
        string? json = null;
        double seconds = 3, warmup = 2;
        var filters = new List<string>();
        bool diagnostics = false;
        string? extraConfig = null;
        int rounds = 3;
        bool withBaselines = true;
        for (int i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw Usage($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--json":
                    json = Value();
                    break;
                case "--seconds":
                    seconds = Seconds(Value());
                    break;
                case "--warmup":
                    warmup = Seconds(Value());
                    break;
                case "--rounds":
                    rounds = int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out int r) && r is > 0 and <= 100
                        ? r
                        : throw Usage($"--rounds needs a whole number in [1, 100]: {args[i]}");
                    break;
                case "--filter":
                    filters.Add(Value());
                    break;
                case "--config":
                    extraConfig = Value();
                    break;
                case "--no-baselines":
                    withBaselines = false;
                    break;
                case "--diag":
                    diagnostics = true;
                    break;
                default:
                    throw Usage($"unknown argument {args[i]}");
            }
        }
        return new QuickOptions(json, TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(warmup), rounds, filters, withBaselines, diagnostics, extraConfig);
    }

    private static double Seconds(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && s > 0 && s <= 600
            ? s
            : throw Usage($"not a number of seconds in (0, 600]: {text}");

    private static ArgumentException Usage(string problem) =>
        new($"{problem}\nusage: quick [--json FILE] [--seconds N] [--warmup N] [--rounds N] [--filter TEXT]... [--no-baselines] [--diag] [--config HOCON]");
}
