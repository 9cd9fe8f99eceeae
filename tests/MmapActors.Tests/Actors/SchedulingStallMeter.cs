using System.Diagnostics;

namespace MmapActors.Tests.Actors;

/// <summary>
/// A thread of its own that only measures how long it goes without running: a stall of the whole machine (the
/// hypervisor, memory reclaim) shows there too, while an owner held up by another file's work does not. Tests that bound
/// a worst case allow for what this meter saw, so that they fail on our stalls and not on the machine's.
/// </summary>
internal sealed class SchedulingStallMeter : IDisposable
{
    private readonly Thread _thread;
    private volatile bool _stopping;
    private long _maxGapTicks;

    private SchedulingStallMeter()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "stall meter" };
    }

    /// <summary>Starts a meter.</summary>
    public static SchedulingStallMeter Start()
    {
        var meter = new SchedulingStallMeter();
        meter._thread.Start();
        return meter;
    }

    /// <summary>The longest the meter's thread went between two of its 1 ms sleeps, so far.</summary>
    public TimeSpan LongestStall => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _maxGapTicks));

    private void Run()
    {
        long last = Stopwatch.GetTimestamp();
        while (!_stopping)
        {
            Thread.Sleep(1);
            long now = Stopwatch.GetTimestamp();
            if (now - last > Interlocked.Read(ref _maxGapTicks))
            {
                Interlocked.Exchange(ref _maxGapTicks, now - last);
            }
            last = now;
        }
    }

    /// <summary>Stops the meter and waits for its thread.</summary>
    public void Dispose()
    {
        _stopping = true;
        _thread.Join();
    }
}
