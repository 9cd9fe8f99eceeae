using System.Diagnostics;
using System.Globalization;

namespace MmapActors.Cli;

/// <summary>
/// Transfer progress on standard error: on a terminal, a bar redrawn at most 10 times a second with bytes, rate and
/// ETA (like curl and rsync --progress); at the end, one summary line unless <c>--quiet</c>. Nothing but the summary
/// reaches a redirected standard error, so logs and scripts get one line per transfer.
/// </summary>
internal sealed class ProgressBar : IProgress<long>
{
    private readonly string _label;
    private readonly long? _total;
    private readonly bool _live;
    private readonly bool _quiet;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastDraw = long.MinValue;
    private long _done;

    private ProgressBar(string label, long? total, bool live, bool quiet, long alreadyDone)
    {
        AlreadyDone = alreadyDone;
        _label = label;
        _total = total;
        _live = live;
        _quiet = quiet;
    }

    /// <summary>A progress display for a transfer of <paramref name="total"/> bytes (<see langword="null"/> when unknown,
    /// as for standard input). <paramref name="alreadyDone"/>: bytes already present before this run (a resumed
    /// download), counted in the bar and the summary, not in the rate.</summary>
    public static ProgressBar Start(string label, long? total, bool quiet, long alreadyDone = 0) =>
        new(label, total, live: !quiet && !Console.IsErrorRedirected, quiet, alreadyDone);

    private long AlreadyDone { get; }

    /// <inheritdoc />
    public void Report(long value)
    {
        _done = value;
        if (!_live)
        {
            return;
        }
        long now = _clock.ElapsedMilliseconds;
        if (now - _lastDraw < 100 && value != _total)
        {
            return;
        }
        _lastDraw = now;
        Console.Error.Write("\r" + Line(value) + "\x1b[K");
    }

    /// <summary>Ends the display: the summary line, or (interrupted) what was transferred before the interruption.</summary>
    public void Finish(bool completed)
    {
        var elapsed = _clock.Elapsed;
        if (_live && _lastDraw != long.MinValue)
        {
            Console.Error.Write("\r\x1b[K");
        }
        if ((_quiet && completed) || (!completed && _done == 0))
        {
            return; // a failure before any byte moved is said by the error line alone
        }
        string seconds = elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture);
        Console.Error.WriteLine(completed
            ? $"mmapctl: {_label}: {Sizes.Format(AlreadyDone + _done)} ({AlreadyDone + _done} bytes) in {seconds} s, {Sizes.Rate(_done, elapsed)}"
            : $"mmapctl: {_label}: stopped after {Sizes.Format(AlreadyDone + _done)} ({AlreadyDone + _done} bytes)");
    }

    private string Line(long value)
    {
        var elapsed = _clock.Elapsed;
        long all = AlreadyDone + value;
        string rate = Sizes.Rate(value, elapsed);
        if (_total is not { } total || total <= 0)
        {
            return $"{_label}  {Sizes.Format(all)}  {rate}";
        }
        int percent = (int)(all * 100 / total);
        int filled = Math.Clamp(percent / 4, 0, 25);
        string eta = value > 0 && elapsed.TotalSeconds > 0
            ? FormatEta(TimeSpan.FromSeconds((total - all) / (value / elapsed.TotalSeconds)))
            : "--:--";
        return $"[{new string('#', filled)}{new string('.', 25 - filled)}] {percent,3}%  {Sizes.Format(all)} / {Sizes.Format(total)}  {rate}  ETA {eta}";
    }

    private static string FormatEta(TimeSpan eta) => eta.TotalHours >= 1
        ? $"{(int)eta.TotalHours}:{eta.Minutes:00}:{eta.Seconds:00}"
        : $"{eta.Minutes:00}:{eta.Seconds:00}";
}
