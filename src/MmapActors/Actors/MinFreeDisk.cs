using System.Globalization;
using Akka.Configuration;

namespace MmapActors.Actors;

/// <summary>
/// <c>mmap.limits.min-free-disk</c>: the free space a node keeps on the filesystem of every file it creates or grows,
/// either a byte size (<c>1GiB</c>) or a share of the filesystem's size (<c>"5%"</c>). Growth that would leave less is
/// refused with <c>OSError</c> errno 28 (ENOSPC). <see cref="Off"/> (<c>0</c>) refuses nothing.
/// </summary>
public sealed record MinFreeDisk
{
    private MinFreeDisk(long bytes, double percent, string text)
    {
        Bytes = bytes;
        Percent = percent;
        Text = text;
    }

    /// <summary>No floor: growth is refused only by the filesystem itself.</summary>
    public static MinFreeDisk Off { get; } = new(0, 0, "0");

    /// <summary>The floor in bytes; 0 when it is a percentage (or off).</summary>
    public long Bytes { get; }

    /// <summary>The floor as a percentage of the filesystem's size (0 up to, not including, 100); 0 when it is in bytes.</summary>
    public double Percent { get; }

    /// <summary>Whether growth is never refused for lack of free space (no statfs is ever made).</summary>
    public bool IsOff => Bytes == 0 && Percent == 0;

    /// <summary>The value as configured, for messages.</summary>
    public string Text { get; }

    /// <summary>A floor of <paramref name="bytes"/> bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bytes"/> is negative.</exception>
    public static MinFreeDisk FromBytes(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        return bytes == 0 ? Off : new MinFreeDisk(bytes, 0, bytes.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>A floor of <paramref name="percent"/> % of each filesystem's size.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="percent"/> is not in [0, 100).</exception>
    public static MinFreeDisk FromPercent(double percent)
    {
        if (!double.IsFinite(percent) || percent < 0 || percent >= 100)
        {
            throw new ArgumentOutOfRangeException(nameof(percent), percent, "A percentage of the filesystem must be at least 0 and below 100.");
        }
        return percent == 0 ? Off : new MinFreeDisk(0, percent, percent.ToString(CultureInfo.InvariantCulture) + "%");
    }

    /// <summary>Reads <c>min-free-disk</c> from a <c>limits</c> block: a HOCON byte size (<c>0</c>, <c>512MiB</c>,
    /// <c>1GiB</c>) or a percentage, quoted (<c>"5%"</c>; HOCON reads a bare <c>5%</c> too).</summary>
    /// <exception cref="ConfigurationException">The value is neither, or out of range.</exception>
    public static MinFreeDisk Read(Config limits, string key)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(key);
        string? text = limits.GetString(key)?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return Off;
        }
        try
        {
            if (text.EndsWith('%'))
            {
                string number = text[..^1].Trim();
                if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double percent))
                {
                    throw new FormatException($"'{number}' is not a number");
                }
                return FromPercent(percent);
            }
            long? bytes = limits.GetByteSize(key);
            return bytes switch
            {
                null => throw new FormatException("no byte size"),
                0 => Off,
                > 0 and var b => new MinFreeDisk(b, 0, text), // keeps "1GiB" as written, for messages
                _ => throw new ArgumentOutOfRangeException(key, bytes, "A byte size must not be negative."),
            };
        }
        catch (Exception e) when (e is not ConfigurationException)
        {
            throw new ConfigurationException(
                $"{key} = '{text}' is neither a byte size (0, 512MiB, 1GiB) nor a percentage of the filesystem below 100 (\"5%\"): {e.Message}");
        }
    }

    /// <summary>The floor in bytes on a filesystem of <paramref name="totalBytes"/> bytes.</summary>
    public long FloorFor(long totalBytes) => Percent > 0 ? (long)(totalBytes * (Percent / 100)) : Bytes;

    /// <inheritdoc />
    public override string ToString() => Text;
}
