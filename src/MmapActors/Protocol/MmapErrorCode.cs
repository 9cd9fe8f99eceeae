namespace MmapActors;

/// <summary>
/// What went wrong, finer than the Python class (<see cref="MmapErrorKind"/>) and meant for programs: callers branch on
/// it instead of reading messages, which stay CPython's text. Carried by <see cref="MmapException.Code"/> and
/// <see cref="Protocol.MmapError.Code"/>; the values are stable (they travel in replies). A time-out is not a code: every
/// client call that times out throws <see cref="MmapTimeoutException"/>.
/// </summary>
public enum MmapErrorCode
{
    /// <summary>Nothing finer than the kind (and, for OSError, the errno) to say.</summary>
    None = 0,

    /// <summary>The map or handle is closed (ValueError "mmap closed or invalid").</summary>
    Closed = 1,

    /// <summary>A write through a read-only map or lease (TypeError).</summary>
    ReadOnly = 2,

    /// <summary>A position, index, count, slice or size outside what the map or the call allows (ValueError or IndexError
    /// "... out of range").</summary>
    OutOfRange = 3,

    /// <summary><see cref="Protocol.CompareAndSwap"/> found other bytes than expected and changed nothing (a ValueError).</summary>
    CompareAndSwapFailed = 4,

    /// <summary>Refused by <c>mmap.limits</c>: a range over <c>max-range-length</c> (ValueError), a resize over
    /// <c>max-file-size</c> (ValueError), too many handles (OSError EMFILE) or mapped bytes (OSError ENOMEM).</summary>
    LimitExceeded = 5,

    /// <summary>The memory is leased (BufferError): close and resize wait for the leases to be released.</summary>
    Leased = 6,

    /// <summary>The file's owner failed while running the operation and restarted (OSError EIO): it may or may not have
    /// been applied.</summary>
    OwnerRestarted = 7,

    /// <summary>A request MmapActors does not accept (a batch inside a batch, an operation of an unknown type).</summary>
    InvalidRequest = 8,

    /// <summary>The file's owner moved to another cluster node, or its node left or failed (OSError ESTALE, errno 116).
    /// Retryable: open the file again (a handle from <see cref="MmapClient"/> re-opens by itself for positional
    /// operations). The message says whether the operation may have been applied (docs/cluster.md).</summary>
    OwnerMoved = 9,

    /// <summary>A cluster member was to own the file, but the file's previous owner still holds its lock: that owner's
    /// process is alive but has not released the file (frozen, paused or still stopping), so this one does not serve it
    /// (OSError EAGAIN, errno 11). Retryable: the open succeeds once the previous owner's process stops or releases the file
    /// (docs/cluster.md, "Fencing").</summary>
    PreviousOwnerHoldsFile = 10,
}
