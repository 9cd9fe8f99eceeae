namespace MmapActors.DataPlane;

/// <summary>Where a node's supervisor finds the data plane started next to it, if any: written once by the server that
/// starts it (and cleared when it stops), read by the supervisor when a peer asks for a ticket.</summary>
internal sealed class DataPlaneSlot
{
    private volatile DataPlaneEndpoint? _endpoint;

    /// <summary>The data plane, or null when none is running.</summary>
    public DataPlaneEndpoint? Endpoint
    {
        get => _endpoint;
        set => _endpoint = value;
    }
}
