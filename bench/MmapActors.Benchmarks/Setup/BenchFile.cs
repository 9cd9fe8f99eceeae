namespace MmapActors.Benchmarks.Setup;

/// <summary>
/// The file every figure reads and writes: <see cref="Length"/> random bytes in a fresh temporary directory,
/// deleted (with the directory) on dispose. It has just been written, so it is in the page cache: the figures
/// measure the mapping and the actors, not the disk.
/// </summary>
internal sealed class BenchFile : IDisposable
{
    /// <summary>256 MiB: far larger than the L2 caches, so random 4 KiB reads mostly come from memory; small enough to write in a second.</summary>
    public const long Length = 256L << 20;

    private BenchFile(DirectoryInfo directory, string path)
    {
        Directory = directory;
        Path = path;
    }

    /// <summary>The temporary directory holding the file.</summary>
    public DirectoryInfo Directory { get; }

    /// <summary>The file's full path.</summary>
    public string Path { get; }

    /// <summary>Creates the directory and writes the file once with random bytes.</summary>
    public static BenchFile Create()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("mmapactors-bench-");
        string path = System.IO.Path.Combine(directory.FullName, "data.bin");
        var chunk = new byte[1 << 20];
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            for (long written = 0; written < Length; written += chunk.Length)
            {
                Random.Shared.NextBytes(chunk);
                stream.Write(chunk);
            }
        }
        return new BenchFile(directory, path);
    }

    /// <summary>Touches every page of <paramref name="map"/> once, so no figure pays for first-touch page faults.</summary>
    public static void Prefault(MemoryMap map)
    {
        var buffer = new byte[1 << 20];
        for (long offset = 0; offset < map.Length; offset += buffer.Length)
        {
            map.ReadAt(offset, buffer);
        }
    }

    /// <summary>Deletes the file and its directory.</summary>
    public void Dispose()
    {
        try
        {
            Directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory left behind must not hide the figures already printed.
        }
    }
}
