using System.Runtime.InteropServices;

namespace MmapActors.Native;

/// <summary>The process limit behind the open-handle budget (<see cref="Actors.OpenFileBudget"/>): kept in its own file so
/// the engine's hot-path interop stays untouched.</summary>
internal static unsafe partial class LibC
{
    public const int EMFILE = 24;
    public const int ENOMEM = 12;

    private const int RLIMIT_NOFILE = 7; // the same number on x86-64 and arm64 (asm-generic)
    private const ulong RLIM_INFINITY = ulong.MaxValue;

    [LibraryImport(Library, EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRlimit(int resource, ulong* limits); // struct rlimit: rlim_cur, rlim_max (64-bit words)

    /// <summary>The soft RLIMIT_NOFILE: the lowest descriptor number open(2) and socket(2) fail with EMFILE at. Read here,
    /// not from the shell's <c>ulimit -n</c>: the .NET runtime raises the soft limit to the hard one as it starts.</summary>
    /// <returns>The limit, or <see cref="long.MaxValue"/> when it is unlimited or cannot be read.</returns>
    public static long OpenFileLimit()
    {
        ulong* limits = stackalloc ulong[2];
        return GetRlimit(RLIMIT_NOFILE, limits) != 0 || limits[0] == RLIM_INFINITY || limits[0] > long.MaxValue
            ? long.MaxValue
            : (long)limits[0];
    }
}
