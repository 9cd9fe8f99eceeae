using MmapActors.Native;

namespace MmapActors.Actors;

/// <summary>
/// How many handles the whole process may hold open at once, sized once from its limits (<see cref="ProcessLimits"/>)
/// so that an open is refused with a typed error (EMFILE, or ENOMEM for mappings) while descriptors and mappings are
/// still left, instead of the process meeting the kernel's limit itself.
/// </summary>
/// <remarks>
/// Every handle of a file holds a descriptor and a mapping (a handle sharing another's mapping holds less: counting
/// handles errs on the safe side). At the kernel's descriptor limit more than opens fail: sockets of new sessions are not
/// accepted, and the .NET runtime cannot start a thread (it reports that as "out of memory"). So a reserve is kept
/// beyond what was in use at start: an eighth of the limit, at least <see cref="MinDescriptorReserve"/> descriptors, for
/// the sockets of new sessions, assemblies the runtime loads later (two descriptors each), the supervisor's short-lived
/// descriptors (resolving a path, listing a directory, creating a file) and log files; likewise an eighth of
/// <c>vm.max_map_count</c>, at least <see cref="MinMappingReserve"/>, for the runtime's heaps and thread stacks.
/// </remarks>
internal sealed class OpenFileBudget
{
    /// <summary>Descriptors always kept beyond what was in use at start.</summary>
    public const int MinDescriptorReserve = 64;

    /// <summary>Mappings always kept beyond what was in use at start.</summary>
    public const int MinMappingReserve = 1024;

    private OpenFileBudget(int maxHandles, int errno, string description)
    {
        MaxHandles = maxHandles;
        Errno = errno;
        Description = description;
    }

    /// <summary>Handles the process may hold at once (<see cref="int.MaxValue"/>: no limit applies).</summary>
    public int MaxHandles { get; }

    /// <summary>The limit that binds, as the errno of a refusal: EMFILE (descriptors) or ENOMEM (mappings).</summary>
    public int Errno { get; }

    /// <summary>What was chosen and why, in one line for the log.</summary>
    public string Description { get; }

    /// <summary>Sizes the budget from <paramref name="limits"/>.</summary>
    /// <param name="limits">The process's limits and their use at start.</param>
    /// <param name="maxHandlesPerNode"><c>mmap.limits.max-handles-per-node</c> (0: none), which still applies to each
    /// node: on a server, whose sessions are all local, the effective cap is the smaller of the two.</param>
    public static OpenFileBudget Choose(ProcessLimits limits, int maxHandlesPerNode)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxHandlesPerNode);
        var (descriptorRoom, descriptorReserve) = Room(limits.DescriptorLimit, limits.DescriptorsInUse, MinDescriptorReserve);
        var (mappingRoom, mappingReserve) = Room(limits.MaxMapCount, limits.MappingsInUse, MinMappingReserve);
        long room = Math.Min(descriptorRoom, mappingRoom);
        int maxHandles = (int)Math.Min(room, int.MaxValue);
        int errno = mappingRoom < descriptorRoom ? LibC.ENOMEM : LibC.EMFILE;
        string descriptors = limits.DescriptorLimit == long.MaxValue
            ? "RLIMIT_NOFILE unlimited"
            : $"RLIMIT_NOFILE {limits.DescriptorLimit}: {limits.DescriptorsInUse} descriptors in use at start, {descriptorReserve} kept for sockets, new sessions and the runtime";
        string mappings = limits.MaxMapCount == long.MaxValue
            ? "vm.max_map_count unknown"
            : $"vm.max_map_count {limits.MaxMapCount}: {limits.MappingsInUse} mappings in use, {mappingReserve} kept";
        int effective = maxHandlesPerNode > 0 ? Math.Min(maxHandlesPerNode, maxHandles) : maxHandles;
        string description = (maxHandles == int.MaxValue ? "Open handles: no process limit applies" : $"Open handles: at most {maxHandles} in the process") +
                             $" ({descriptors}; {mappings}); mmap.limits.max-handles-per-node {(maxHandlesPerNode > 0 ? maxHandlesPerNode : "unlimited")}" +
                             $", so a server's sessions together hold at most {(effective == int.MaxValue ? "unlimited" : effective)}; past it opens are refused with errno {errno}";
        return new OpenFileBudget(maxHandles, errno, description);
    }

    private static (long Room, long Reserve) Room(long limit, int inUse, int minReserve)
    {
        if (limit == long.MaxValue)
        {
            return (long.MaxValue, 0);
        }
        long reserve = Math.Max(minReserve, limit / 8);
        return (Math.Max(0, limit - inUse - reserve), reserve);
    }
}
