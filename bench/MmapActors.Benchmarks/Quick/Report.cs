using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MmapActors.Benchmarks.Quick;

/// <summary>Formats the figures: one line per figure with its baselines, ratios and targets; and the JSON file.</summary>
internal static class Report
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>A value with its unit: whole numbers for rates of operations, two decimals for GB/s.</summary>
    public static string FormatValue(Figure figure) => $"{FormatNumber(figure.Value, figure.Unit)} {figure.Unit}";

    /// <summary>Prints one line per figure, then how many targets were met.</summary>
    public static void Print(TextWriter output, IReadOnlyList<Figure> figures, IReadOnlyList<Comparison> comparisons,
        IReadOnlyList<AbsoluteTarget> absolutes)
    {
        var byName = figures.ToDictionary(f => f.Name);
        int nameWidth = figures.Max(f => f.Name.Length);
        int valueWidth = figures.Max(f => FormatValue(f).Length);
        int met = 0, missed = 0;
        foreach (var figure in figures)
        {
            var line = new StringBuilder();
            line.Append(figure.Name.PadRight(nameWidth)).Append("  ").Append(FormatValue(figure).PadLeft(valueWidth));
            foreach (var c in comparisons.Where(c => c.Figure == figure.Name && byName.ContainsKey(c.Baseline)))
            {
                var baseline = byName[c.Baseline];
                double ratio = figure.Value / baseline.Value;
                line.Append(Invariant, $"   {baseline.Name} {FormatValue(baseline)}   ratio {ratio:F2}");
                if (c.MinRatio is { } min)
                {
                    bool ok = ratio >= min;
                    (ok ? ref met : ref missed)++;
                    line.Append(Invariant, $" (target >= {min:F2}: {(ok ? "met" : "MISSED")})");
                }
            }
            foreach (var a in absolutes.Where(a => a.Figure == figure.Name))
            {
                bool ok = figure.Value >= a.Min;
                (ok ? ref met : ref missed)++;
                line.Append(Invariant, $"   (target >= {a.Min:0.##} {figure.Unit}: {(ok ? "met" : "MISSED")})");
            }
            output.WriteLine(line.ToString());
        }
        output.WriteLine($"targets: {met} met, {missed} missed");
    }

    /// <summary>Writes <c>{"figures":[{"name":..,"value":..,"unit":..}]}</c>, baselines included.</summary>
    public static void WriteJson(string path, IReadOnlyList<Figure> figures)
    {
        using var stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteStartArray("figures");
        foreach (var f in figures)
        {
            writer.WriteStartObject();
            writer.WriteString("name", f.Name);
            writer.WriteNumber("value", Math.Round(f.Value, f.Unit == "GB/s" ? 3 : 0));
            writer.WriteString("unit", f.Unit);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static string FormatNumber(double value, string unit) =>
        unit == "GB/s" ? value.ToString("F2", Invariant) : value.ToString("F0", Invariant);
}
