using System.Runtime.InteropServices;

namespace MmapActors.Benchmarks.Quick;

/// <summary>What the kernel counts for this process over all its threads (getrusage(2)): CPU time, minor page faults and
/// context switches; and what the GC counts: bytes allocated. Differences over a slice explain a figure.</summary>
/// <param name="Cpu">User plus system CPU time.</param>
/// <param name="MinorFaults">Page faults served without I/O (a page-table fill, or a write fault on a clean shared page).</param>
/// <param name="ContextSwitches">Times a thread gave up (voluntary) or lost (involuntary) its core.</param>
/// <param name="AllocatedBytes">Managed bytes allocated by all threads.</param>
internal readonly record struct ProcessCounters(TimeSpan Cpu, long MinorFaults, long ContextSwitches, long AllocatedBytes)
{
    private const int RusageSelf = 0;

    /// <summary>The counters now (zeros if getrusage fails).</summary>
    public static ProcessCounters Read()
    {
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        if (GetRusage(RusageSelf, out var usage) != 0)
        {
            return new ProcessCounters(TimeSpan.Zero, 0, 0, allocated);
        }
        long micros = (usage.UserSeconds + usage.SystemSeconds) * 1_000_000 + usage.UserMicros + usage.SystemMicros;
        return new ProcessCounters(TimeSpan.FromMicroseconds(micros), usage.MinorFaults, usage.VoluntarySwitches + usage.InvoluntarySwitches, allocated);
    }

    /// <summary>The counts between two readings.</summary>
    public static ProcessCounters operator -(ProcessCounters after, ProcessCounters before) =>
        new(after.Cpu - before.Cpu, after.MinorFaults - before.MinorFaults, after.ContextSwitches - before.ContextSwitches,
            after.AllocatedBytes - before.AllocatedBytes);

    /// <summary>The sum of two slices' counts.</summary>
    public static ProcessCounters operator +(ProcessCounters a, ProcessCounters b) =>
        new(a.Cpu + b.Cpu, a.MinorFaults + b.MinorFaults, a.ContextSwitches + b.ContextSwitches, a.AllocatedBytes + b.AllocatedBytes);

    [DllImport("libc", EntryPoint = "getrusage")]
    private static extern int GetRusage(int who, out Rusage usage);

    /// <summary>struct rusage on 64-bit Linux: two timevals, then fourteen longs.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Rusage
    {
        public long UserSeconds, UserMicros, SystemSeconds, SystemMicros;
        public long MaxRss, SharedText, UnsharedData, UnsharedStack;
        public long MinorFaults, MajorFaults, Swaps, BlockIn, BlockOut, MessagesSent, MessagesReceived, Signals;
        public long VoluntarySwitches, InvoluntarySwitches;
    }
}
