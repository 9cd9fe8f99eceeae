namespace MmapActors.Cli;

/// <summary>A one-line progress bar on standard error, shown only when it is a terminal (never when piped).</summary>
internal sealed class ProgressBar : IProgress<long>, IDisposable
{
    private readonly long _total;
    private int _lastPercent = -1;

    private ProgressBar(long total) => _total = Math.Max(1, total);

    /// <summary>A bar for a terminal, or <see langword="null"/> when standard error is redirected or the transfer is small.</summary>
    public static ProgressBar? ForTerminal(long total) =>
        !Console.IsErrorRedirected && total >= 4 << 20 ? new ProgressBar(total) : null;

    public void Report(long value)
    {
        int percent = (int)(value * 100 / _total);
        if (percent != _lastPercent)
        {
            _lastPercent = percent;
            int filled = percent / 4;
            Console.Error.Write($"\r[{new string('#', filled)}{new string('.', 25 - filled)}] {percent,3}% {value >> 20} MiB");
        }
    }

    public void Dispose() => Console.Error.WriteLine();
}
