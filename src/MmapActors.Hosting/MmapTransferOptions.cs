namespace MmapActors.Hosting;

/// <summary>The <c>mmap.transfer</c> block; <see langword="null"/> keeps the HOCON value.</summary>
public sealed class MmapTransferOptions
{
    /// <summary><c>chunk-size</c>: bytes per chunk of a streamed range.</summary>
    public int? ChunkSize { get; set; }

    /// <summary><c>window</c>: chunks in flight at once.</summary>
    public int? Window { get; set; }
}
