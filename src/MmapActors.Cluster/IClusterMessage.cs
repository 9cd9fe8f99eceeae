namespace MmapActors.Cluster;

/// <summary>Marker of the cluster's own messages that cross between members; serialization is bound to it
/// (<c>config/cluster.hocon</c>, <see cref="Serialization.ClusterProtocolSerializer"/>).</summary>
public interface IClusterMessage;
