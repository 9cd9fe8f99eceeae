namespace MmapActors;

/// <summary>What one <see cref="ServedRoot.SweepStaleUploads"/> did.</summary>
/// <param name="Removed">The temporary uploads removed, as paths relative to the root (<c>dir/.name.&lt;16 hex&gt;.part</c>).</param>
/// <param name="Truncated">Whether the sweep stopped at <see cref="ServedRoot.MaxSweepEntries"/> entries before the end of
/// the directory, so stale uploads may remain in it.</param>
public sealed record StaleUploadSweep(IReadOnlyList<string> Removed, bool Truncated)
{
    /// <summary>A sweep that looked at nothing: switched off, or a read-only root.</summary>
    public static StaleUploadSweep None { get; } = new([], false);
}
