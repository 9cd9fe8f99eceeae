namespace MmapActors.Cluster;

/// <summary>Reply to <see cref="FindOwner"/>: no member that answered in time runs an owner of the file now (usually: nobody has it open;
/// see <see cref="FindOwner"/>).</summary>
/// <param name="Key">The canonical path relative to the shared root.</param>
public sealed record NoOwner(string Key) : IClusterMessage;
