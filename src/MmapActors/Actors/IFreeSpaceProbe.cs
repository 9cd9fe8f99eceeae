namespace MmapActors.Actors;

/// <summary>How <see cref="DiskFloor"/> learns a filesystem's free space: statfs(2) in production, a fake in tests that
/// cannot make a filesystem small.</summary>
internal interface IFreeSpaceProbe
{
    /// <summary>The filesystem of an open descriptor (a file, or the directory a file is created in).</summary>
    /// <returns>0, or the errno.</returns>
    int Probe(int fd, out long available, out long total);

    /// <summary>The filesystem holding <paramref name="path"/>.</summary>
    /// <returns>0, or the errno.</returns>
    int Probe(string path, out long available, out long total);
}
