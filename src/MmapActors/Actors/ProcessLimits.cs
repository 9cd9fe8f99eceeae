using MmapActors.Native;

namespace MmapActors.Actors;

/// <summary>
/// What the kernel lets this process hold, and how much of it is taken already: descriptors (RLIMIT_NOFILE and the
/// descriptors open now) and memory mappings (<c>vm.max_map_count</c> and the mappings now). Every open handle of a file
/// holds one of each, so these bound how many handles the process can serve (<see cref="OpenFileBudget"/>).
/// </summary>
/// <param name="DescriptorLimit">The soft RLIMIT_NOFILE; <see cref="long.MaxValue"/> when unlimited or unknown.</param>
/// <param name="DescriptorsInUse">Descriptors open now (the runtime's assemblies, its pipes and epoll, the listening socket).</param>
/// <param name="MaxMapCount"><c>/proc/sys/vm/max_map_count</c>; <see cref="long.MaxValue"/> when unknown.</param>
/// <param name="MappingsInUse">Mappings now (the runtime's heaps, thread stacks, mapped assemblies).</param>
internal readonly record struct ProcessLimits(long DescriptorLimit, int DescriptorsInUse, long MaxMapCount, int MappingsInUse)
{
    /// <summary>Reads the limits and the current use of this process (Linux; elsewhere, what cannot be read is unlimited).</summary>
    public static ProcessLimits Read() => new(
        LibC.OpenFileLimit(),
        CountOrZero(() => Directory.EnumerateFileSystemEntries("/proc/self/fd").Count()),
        ReadLongOr("/proc/sys/vm/max_map_count", long.MaxValue),
        CountOrZero(() => File.ReadLines("/proc/self/maps").Count()));

    private static int CountOrZero(Func<int> count)
    {
        try
        {
            return count();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static long ReadLongOr(string path, long fallback)
    {
        try
        {
            return long.TryParse(File.ReadAllText(path).Trim(), out long value) && value > 0 ? value : fallback;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return fallback;
        }
    }
}
