namespace MmapActors.Tests.Actors;

/// <summary>What this process holds of a file, read from /proc/self (Linux): descriptors and mappings.</summary>
public static class ProcSelf
{
    /// <summary>Open descriptors that point at <paramref name="path"/>.</summary>
    public static int DescriptorsOn(string path)
    {
        int count = 0;
        foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith(path, StringComparison.Ordinal))
                {
                    count++;
                }
            }
            catch (IOException)
            {
                // the descriptor closed while we looked
            }
        }
        return count;
    }

    /// <summary>All open descriptors of the process.</summary>
    public static int Descriptors() => Directory.EnumerateFileSystemEntries("/proc/self/fd").Count();

    /// <summary>Mappings (lines of /proc/self/maps) of <paramref name="path"/>.</summary>
    public static int MappingsOf(string path) => File.ReadLines("/proc/self/maps").Count(l => l.EndsWith(path, StringComparison.Ordinal));

    /// <summary>All mappings of the process.</summary>
    public static int Mappings() => File.ReadLines("/proc/self/maps").Count();
}
