using MmapActors.Protocol;

namespace MmapActors.Remote.Server;

/// <summary>
/// The budgets of one session, as plain single-threaded bookkeeping (the <see cref="PeerSession"/> actor is its only
/// user): handles, bytes mapped, private memory (shared with every other session through a
/// <see cref="PrivateMemoryPool"/>), bytes added to files, requests in flight, and reply bytes the client has not
/// acknowledged yet.
/// Every refusal is an <see cref="MmapError"/> with an errno a caller can test, naming the setting that refused it.
/// </summary>
internal sealed class SessionLedger(ServerSettings settings, PrivateMemoryPool pool)
{
    private readonly Dictionary<long, SessionHandle> _handles = new();
    private readonly Queue<(long Sequence, long BytesSent)> _checkpoints = new();
    private long _nextHandleId;
    private long _nextCheckpoint;
    private long _bytesAtLastCheckpoint;

    /// <summary>Handles open now.</summary>
    public int HandleCount => _handles.Count;

    /// <summary>Opens on their way to an owner (they count as handles).</summary>
    public int PendingOpens { get; private set; }

    /// <summary>Bytes mapped by this session's handles (as last known).</summary>
    public long MappedBytes { get; private set; }

    /// <summary>Private memory this session holds (including reservations for opens and resizes on their way).</summary>
    public long PrivateBytes { get; private set; }

    /// <summary>Bytes this session has added to files (creates and growing resizes that succeeded). Never decreases.</summary>
    public long GrowthBytes { get; private set; }

    /// <summary>Bytes reserved for creates and growing resizes on their way.</summary>
    public long GrowthReserved { get; private set; }

    /// <summary>Reply bytes sent to the client.</summary>
    public long BytesSent { get; private set; }

    /// <summary>Reply bytes the client has acknowledged (through a checkpoint).</summary>
    public long BytesAcknowledged { get; private set; }

    /// <summary>Reply bytes the requests being served may still produce (estimated when they are sent).</summary>
    public long BytesExpected { get; private set; }

    /// <summary>Whether the client has fallen so far behind in reading its replies (those sent, and those its requests
    /// being served will produce) that it is not served until it catches up.</summary>
    public bool IsSuspended => BytesSent + BytesExpected - BytesAcknowledged >= settings.MaxUnacknowledgedReplyBytes;

    /// <summary>Counts what a request being sent to its owner may answer with.</summary>
    public void Expect(long bytes) => BytesExpected += bytes;

    /// <summary>A request answered: what it was expected to weigh is no longer in flight.</summary>
    public void Settle(long expected) => BytesExpected -= expected;

    public IEnumerable<SessionHandle> Handles => _handles.Values;

    public bool TryGetHandle(long id, out SessionHandle handle) => _handles.TryGetValue(id, out handle!);

    /// <summary>Admits an open before it is sent: a free handle slot, and for anonymous memory its private bytes.</summary>
    public MmapError? TryBeginOpen(MapOptions options, out long reserved)
    {
        reserved = 0;
        if (_handles.Count + PendingOpens >= settings.MaxHandlesPerSession)
        {
            return Refuse(24, "Too many open files", $"{settings.MaxHandlesPerSession} handles are open (mmap.server.session.max-handles)");
        }
        if (options.Path is null && options.Length > 0)
        {
            if (TryReservePrivate(options.Length) is { } refused)
            {
                return refused;
            }
            reserved = options.Length;
        }
        PendingOpens++;
        return null;
    }

    /// <summary>Completes an admitted open with the owner's answer: registers the handle, unless its real size passes a
    /// budget (then the caller closes it again and sends the refusal).</summary>
    public MmapError? TryCompleteOpen(MapOpened opened, string key, long reserved, out SessionHandle? handle)
    {
        PendingOpens--;
        handle = null;
        long privateNeeded = opened.IsPrivate ? opened.Length : 0;
        // Swap the reservation made at admission for the real size.
        ReleasePrivate(reserved);
        if (opened.Length > settings.MaxMappedBytesPerSession - MappedBytes)
        {
            return Refuse(12, "Cannot allocate memory",
                $"mapping {opened.Length} more bytes would pass {settings.MaxMappedBytesPerSession} (mmap.server.session.max-mapped-bytes)");
        }
        if (privateNeeded > 0 && TryReservePrivate(privateNeeded) is { } refused)
        {
            return refused;
        }
        MappedBytes += opened.Length;
        handle = new SessionHandle(++_nextHandleId, opened.Owner, opened.HandleId, key, opened.IsPrivate, opened.Length);
        _handles.Add(handle.Id, handle);
        return null;
    }

    /// <summary>An admitted open failed at the owner.</summary>
    public void AbandonOpen(long reserved)
    {
        PendingOpens--;
        ReleasePrivate(reserved);
    }

    /// <summary>Reserves what a resize to <paramref name="newLength"/> would add, before it is sent: mapped bytes, and
    /// private memory for a private map or bytes added to a file for a file's map.</summary>
    public MmapError? TryReserveGrowth(SessionHandle handle, long newLength, out long reserved)
    {
        reserved = 0;
        long growth = newLength - handle.Length;
        if (growth <= 0)
        {
            return null;
        }
        if (growth > settings.MaxMappedBytesPerSession - MappedBytes)
        {
            return Refuse(12, "Cannot allocate memory",
                $"growing by {growth} bytes would pass {settings.MaxMappedBytesPerSession} (mmap.server.session.max-mapped-bytes)");
        }
        if ((handle.IsPrivate ? TryReservePrivate(growth) : TryReserveFileGrowth(growth)) is { } refused)
        {
            return refused;
        }
        MappedBytes += growth;
        reserved = growth;
        return null;
    }

    /// <summary>Reserves <paramref name="bytes"/> to be added to files (a create, or the growth of a file's map), unless
    /// that would pass <c>max-growth-bytes</c> with what the session has added and has on its way.</summary>
    public MmapError? TryReserveFileGrowth(long bytes)
    {
        if (bytes <= 0)
        {
            return null;
        }
        if (bytes > settings.MaxGrowthBytesPerSession - GrowthBytes - GrowthReserved)
        {
            return Refuse(122, "Disk quota exceeded",
                $"adding {bytes} bytes to files would pass the {settings.MaxGrowthBytesPerSession} this session may add (mmap.server.session.max-growth-bytes)");
        }
        GrowthReserved += bytes;
        return null;
    }

    /// <summary>Settles a reservation of <see cref="TryReserveFileGrowth"/>: <paramref name="added"/> bytes (at most the
    /// reservation) were added to files and stay counted; the rest returns.</summary>
    public void SettleFileGrowth(long reserved, long added)
    {
        GrowthReserved -= reserved;
        GrowthBytes += Math.Clamp(added, 0, reserved);
    }

    /// <summary>Settles a resize: the handle now has <paramref name="newLength"/> (or kept its length), and the
    /// reservation made for it is returned; for a file's map, what its longest successful resize
    /// (<paramref name="largestDone"/>) added stays counted as bytes added to the file.</summary>
    public void SettleResize(SessionHandle handle, long reserved, long? newLength, long? largestDone = null)
    {
        MappedBytes -= reserved;
        if (handle.IsPrivate)
        {
            ReleasePrivate(reserved);
        }
        else if (reserved > 0)
        {
            SettleFileGrowth(reserved, (largestDone ?? handle.Length) - handle.Length);
        }
        if (newLength is { } length && length != handle.Length)
        {
            long delta = length - handle.Length;
            MappedBytes += delta;
            if (handle.IsPrivate)
            {
                // The owner already did it, so it is counted even past a budget (the reservation checked the budget;
                // only a resize by another session of a shared file can move a length the session did not reserve).
                PrivateBytes += delta;
                pool.Force(delta);
            }
            handle.Length = length;
        }
    }

    /// <summary>Forgets a handle that closed.</summary>
    public void RemoveHandle(SessionHandle handle)
    {
        if (_handles.Remove(handle.Id))
        {
            MappedBytes -= handle.Length;
            if (handle.IsPrivate)
            {
                ReleasePrivate(handle.Length);
            }
        }
    }

    /// <summary>Returns everything this session holds to the shared pool (the session is ending).</summary>
    public void ReleaseAll()
    {
        pool.Give(PrivateBytes);
        PrivateBytes = 0;
    }

    /// <summary>Counts a reply sent; true when a checkpoint is due.</summary>
    public bool RecordReply(long bytes)
    {
        BytesSent += bytes;
        return BytesSent - _bytesAtLastCheckpoint >= settings.CheckpointBytes;
    }

    /// <summary>The next checkpoint: acknowledging it acknowledges every reply byte sent so far.</summary>
    public Checkpoint NextCheckpoint()
    {
        var checkpoint = new Checkpoint(++_nextCheckpoint);
        _bytesAtLastCheckpoint = BytesSent;
        _checkpoints.Enqueue((checkpoint.Sequence, BytesSent));
        // A client that never answers must not grow this queue without bound: the oldest unanswered ones are the
        // least useful (acknowledging a later one acknowledges them too).
        while (_checkpoints.Count > 1024)
        {
            _checkpoints.Dequeue();
        }
        return checkpoint;
    }

    /// <summary>The client acknowledged checkpoint <paramref name="sequence"/>; false for one never sent (a forgery).</summary>
    public bool Acknowledge(long sequence)
    {
        if (sequence <= 0 || sequence > _nextCheckpoint)
        {
            return false;
        }
        while (_checkpoints.TryPeek(out var c) && c.Sequence <= sequence)
        {
            _checkpoints.Dequeue();
            BytesAcknowledged = Math.Max(BytesAcknowledged, c.BytesSent);
        }
        return true;
    }

    private MmapError? TryReservePrivate(long bytes)
    {
        if (bytes > settings.MaxPrivateBytesPerSession - PrivateBytes)
        {
            return Refuse(12, "Cannot allocate memory",
                $"{bytes} more bytes of anonymous or copy-on-write memory would pass {settings.MaxPrivateBytesPerSession} (mmap.server.session.max-private-bytes)");
        }
        if (!pool.TryTake(bytes))
        {
            return Refuse(12, "Cannot allocate memory",
                $"{bytes} more bytes of anonymous or copy-on-write memory would pass the server's {settings.MaxPrivateBytes} (mmap.server.max-private-bytes)");
        }
        PrivateBytes += bytes;
        return null;
    }

    private void ReleasePrivate(long bytes)
    {
        if (bytes > 0)
        {
            PrivateBytes -= bytes;
            pool.Give(bytes);
        }
    }

    private static MmapError Refuse(int errno, string text, string detail) =>
        new(MmapErrorKind.OSError, $"[Errno {errno}] {text}: {detail}", errno) { Code = MmapErrorCode.LimitExceeded };
}
