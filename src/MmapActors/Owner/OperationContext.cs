namespace MmapActors.Owner;

/// <summary>What an operation runs against: the file, the handle it was sent on, and the handle's map (with the
/// handle's cursor in place).</summary>
internal readonly struct OperationContext(SharedFile file, SharedHandle handle, MemoryMap map)
{
    public SharedFile File { get; } = file;

    public SharedHandle Handle { get; } = handle;

    public MemoryMap Map { get; } = map;
}
