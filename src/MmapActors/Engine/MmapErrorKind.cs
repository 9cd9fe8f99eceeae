namespace MmapActors;

/// <summary>
/// The CPython exception class an <see cref="MmapException"/> stands for. The values are stable: they
/// travel in actor replies and over the wire.
/// </summary>
public enum MmapErrorKind
{
    /// <summary>Python's <c>ValueError</c>: a closed map, or a value out of range (seek, read_byte, write...).</summary>
    ValueError = 1,

    /// <summary>Python's <c>TypeError</c>: a write to a read-only map, a resize of a copy-on-write map, a deletion.</summary>
    TypeError = 2,

    /// <summary>Python's <c>IndexError</c>: an index out of range or a slice assignment of the wrong size.</summary>
    IndexError = 3,

    /// <summary>Python's <c>OverflowError</c>: a negative length or offset, a byte value outside 0..255.</summary>
    OverflowError = 4,

    /// <summary>Python's <c>BufferError</c>: close or resize while the memory is leased.</summary>
    BufferError = 5,

    /// <summary>Python's <c>OSError</c> (or a subclass chosen by <see cref="MmapException.Errno"/>): a failed system call.</summary>
    OSError = 6,
}
