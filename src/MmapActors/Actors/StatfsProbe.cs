using MmapActors.Native;

namespace MmapActors.Actors;

/// <summary>The real free-space probe: statfs(2). Counts what an unprivileged writer may still allocate, so the blocks a
/// filesystem keeps for root never count as free (a server running as root still leaves them alone).</summary>
internal sealed class StatfsProbe : IFreeSpaceProbe
{
    public static StatfsProbe Instance { get; } = new();

    private StatfsProbe()
    {
    }

    public int Probe(int fd, out long available, out long total) => LibC.DiskSpace(fd, out available, out total);

    public int Probe(string path, out long available, out long total) => LibC.DiskSpace(path, out available, out total);
}
