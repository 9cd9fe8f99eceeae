namespace MmapActors.Tests.Engine;

/// <summary>
/// A private directory under <see cref="Path.GetTempPath"/> for one test; every file created through it is
/// deleted with the directory on <see cref="Dispose"/>.
/// </summary>
internal sealed class TempFiles : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mmap-unit-").FullName;
    private int _count;

    /// <summary>Creates a new file holding exactly <paramref name="content"/> and returns its path.</summary>
    public string Create(ReadOnlySpan<byte> content)
    {
        string path = NewPath();
        File.WriteAllBytes(path, content.ToArray());
        return path;
    }

    /// <summary>A path inside the directory where no file exists.</summary>
    public string NewPath() => Path.Combine(_directory, $"file-{_count++}.bin");

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a leaked map could still pin a file; the OS temp cleaner will get it
        }
    }
}
