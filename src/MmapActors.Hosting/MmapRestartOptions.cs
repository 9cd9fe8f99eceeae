namespace MmapActors.Hosting;

/// <summary>The <c>mmap.restart</c> block; <see langword="null"/> keeps the HOCON value.</summary>
public sealed class MmapRestartOptions
{
    /// <summary><c>min-backoff</c>: the delay before the first re-open after a restart.</summary>
    public TimeSpan? MinBackoff { get; set; }

    /// <summary><c>max-backoff</c>: the longest delay, however many restarts in a row.</summary>
    public TimeSpan? MaxBackoff { get; set; }

    /// <summary><c>max-restarts</c>: an owner failing more often than this within <see cref="Within"/> is stopped.</summary>
    public int? MaxRestarts { get; set; }

    /// <summary><c>within</c>: the window <see cref="MaxRestarts"/> counts in.</summary>
    public TimeSpan? Within { get; set; }
}
