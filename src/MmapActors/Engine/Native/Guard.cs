using System.Runtime.InteropServices;

namespace MmapActors.Native;

/// <summary>
/// The SIGBUS-guarded copy routines of <c>libmmapactors_guard.so</c> (built from <c>Engine/Native/mmap_guard.c</c>
/// by the normal build): every access the engine makes to mapped file memory goes through them, so a page cut off
/// by a truncation, or a write into a hole that finds no space, returns an error instead of raising SIGBUS, which
/// .NET would turn into an <see cref="AccessViolationException"/> that ends the process.
/// </summary>
/// <remarks>
/// The native handler is installed once, the first time a map is created, and chains every SIGBUS that is not
/// a guarded copy's to the handler installed before it (the .NET runtime's). Both routines return 0, or -1 with
/// the faulting address after a SIGBUS at an address in <c>[low, high)</c>; the copy then stopped part way.
/// </remarks>
internal static unsafe partial class Guard
{
    private const string Library = "libmmapactors_guard";

    private static volatile bool s_installed;

    /// <summary>Installs the SIGBUS handler (once per process: the native side runs it under pthread_once).</summary>
    /// <exception cref="MmapException">OSError when the handler cannot be installed.</exception>
    /// <exception cref="DllNotFoundException">The library was not built or not copied next to MmapActors.dll.</exception>
    public static void EnsureInstalled()
    {
        if (s_installed)
        {
            return;
        }
        if (MmgInstall() != 0)
        {
            throw MmapException.FromErrno(LibC.EIO, "the SIGBUS handler of libmmapactors_guard could not be installed");
        }
        s_installed = true;
    }

    /// <summary>memmove(<paramref name="destination"/>, <paramref name="source"/>, <paramref name="count"/>) guarded
    /// against a SIGBUS in the mapped range [<paramref name="low"/>, <paramref name="high"/>).</summary>
    /// <returns>0, or -1 with the faulting address in <paramref name="fault"/>.</returns>
    public static int Copy(void* destination, void* source, nuint count, nuint low, nuint high, out nuint fault)
    {
        // A normal P/Invoke with its GC transition (a few tens of nanoseconds), never SuppressGCTransition: a page
        // that is not cached makes the copy wait for the disk, and the runtime must be able to suspend this thread
        // for a collection meanwhile.
        nuint where = 0;
        int result = MmgCopy(destination, source, count, low, high, &where);
        fault = where;
        return result;
    }

    /// <summary>A strided copy (<c>destination[i * dStride] = source[i * sStride]</c>) with the same guard.</summary>
    public static int CopyStrided(byte* destination, nint destinationStride, byte* source, nint sourceStride, nuint count,
        nuint low, nuint high, out nuint fault)
    {
        nuint where = 0;
        int result = MmgCopyStrided(destination, destinationStride, source, sourceStride, count, low, high, &where);
        fault = where;
        return result;
    }

    [LibraryImport(Library, EntryPoint = "mmg_install")]
    private static partial int MmgInstall();

    [LibraryImport(Library, EntryPoint = "mmg_copy")]
    private static partial int MmgCopy(void* destination, void* source, nuint count, nuint low, nuint high, nuint* fault);

    [LibraryImport(Library, EntryPoint = "mmg_copy_strided")]
    private static partial int MmgCopyStrided(byte* destination, nint destinationStride, byte* source, nint sourceStride,
        nuint count, nuint low, nuint high, nuint* fault);
}
