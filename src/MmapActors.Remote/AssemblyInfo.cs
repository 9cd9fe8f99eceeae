namespace MmapActors.Remote;
