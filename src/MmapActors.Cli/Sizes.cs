using System.Globalization;

namespace MmapActors.Cli;

/// <summary>Human sizes in and out: <c>4096</c>, <c>4k</c>, <c>512M</c>, <c>1G</c>, <c>1GiB</c> (powers of 1024, as
/// <c>dd</c> and <c>truncate</c> read them), printed as <c>1.5 GiB</c>.</summary>
internal static class Sizes
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

    /// <summary>Parses a size; <see langword="false"/> with a reason when it is not one.</summary>
    public static bool TryParse(string? text, out long bytes, out string error)
    {
        bytes = 0;
        error = string.Empty;
        string s = (text ?? string.Empty).Trim();
        int end = s.Length;
        while (end > 0 && char.IsAsciiLetter(s[end - 1]))
        {
            end--;
        }
        string unit = s[end..].ToUpperInvariant();
        int shift = unit switch
        {
            "" or "B" => 0,
            "K" or "KB" or "KIB" => 10,
            "M" or "MB" or "MIB" => 20,
            "G" or "GB" or "GIB" => 30,
            "T" or "TB" or "TIB" => 40,
            "P" or "PB" or "PIB" => 50,
            _ => -1,
        };
        if (shift < 0 || end == 0 ||
            !decimal.TryParse(s[..end], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal number))
        {
            error = $"'{text}' is not a size (examples: 4096, 64k, 512M, 1G)";
            return false;
        }
        decimal value = number * (1L << shift);
        if (value > long.MaxValue || value != decimal.Truncate(value))
        {
            error = $"'{text}' is not a whole number of bytes within 0..{long.MaxValue}";
            return false;
        }
        bytes = (long)value;
        return true;
    }

    /// <summary><c>0 B</c>, <c>7 B</c>, <c>1.5 KiB</c>, <c>1.0 GiB</c>.</summary>
    public static string Format(long bytes)
    {
        if (bytes < 1024)
        {
            return $"{bytes} B";
        }
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {Units[unit]}");
    }

    /// <summary>A rate such as <c>312.4 MiB/s</c>.</summary>
    public static string Rate(long bytes, TimeSpan elapsed) =>
        elapsed.TotalSeconds <= 0 ? "-" : Format((long)(bytes / elapsed.TotalSeconds)) + "/s";
}
