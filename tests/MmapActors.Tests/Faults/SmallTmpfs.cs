using System.Runtime.InteropServices;

namespace MmapActors.Tests.Faults;

/// <summary>A tmpfs of a few MiB mounted on a fresh temporary directory (mount(2) needs root), unmounted on dispose:
/// a filesystem that really fills up, without filling the machine's disk.</summary>
internal sealed partial class SmallTmpfs : IDisposable
{
    private SmallTmpfs(string path) => Path = path;

    /// <summary>The mount point.</summary>
    public string Path { get; }

    /// <summary>Mounts a tmpfs of <paramref name="megabytes"/> MiB; throws with the errno when mount(2) refuses.</summary>
    public static SmallTmpfs Mount(int megabytes)
    {
        string path = Directory.CreateTempSubdirectory("mmap-tmpfs-").FullName;
        if (MountSyscall("tmpfs", path, "tmpfs", 0, $"size={megabytes}m,mode=0700") != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            Directory.Delete(path);
            throw new InvalidOperationException($"mount -t tmpfs failed: errno {errno}");
        }
        return new SmallTmpfs(path);
    }

    /// <summary>Why this process cannot mount a tmpfs (not root, or no mount permission), or <see langword="null"/> when it can.</summary>
    public static string? Unavailable()
    {
        if (GetEuid() != 0)
        {
            return "needs root to mount a small tmpfs (CI runs as root)";
        }
        try
        {
            Mount(1).Dispose();
            return null;
        }
        catch (InvalidOperationException e)
        {
            return $"needs mount(2) for a small tmpfs: {e.Message}";
        }
    }

    public void Dispose()
    {
        Umount2(Path, 2 /* MNT_DETACH: the server may still hold a descriptor for a moment */);
        Directory.Delete(Path);
    }

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MountSyscall(string source, string target, string type, ulong flags, string data);

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Umount2(string target, int flags);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();
}

/// <summary>A fact that needs <see cref="SmallTmpfs"/>: skipped, with the reason, where it cannot be mounted.</summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    private static readonly string? Reason = SmallTmpfs.Unavailable();

    public TmpfsFactAttribute() => Skip = Reason;
}
