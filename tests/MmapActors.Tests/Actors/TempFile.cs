namespace MmapActors.Tests.Actors;

/// <summary>A temporary file with given contents, deleted on dispose.</summary>
public sealed class TempFile : IDisposable
{
    public TempFile(byte[] contents)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("mmap-actors-").FullName;
        Path = System.IO.Path.Combine(Directory, "data.bin");
        File.WriteAllBytes(Path, contents);
    }

    public TempFile(int length, int seed = 1)
        : this(RandomBytes(length, seed))
    {
    }

    public string Directory { get; }

    public string Path { get; }

    public byte[] ReadAll() => File.ReadAllBytes(Path);

    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
