using MmapActors.Actors;
using MmapActors.Protocol;

namespace MmapActors.Owner;

/// <summary>
/// One file's (or one anonymous map's) domain logic, single-threaded and without actors: its mappings, the handle table
/// with a cursor, access mode and leases per handle, resize propagation between mappings, and the limits of
/// <c>mmap.limits</c>. Every operation comes in as a <see cref="MapOperation"/> and goes out as a <see cref="MapReply"/>;
/// what an operation does, carries and moves is defined by the operation itself.
/// </summary>
/// <remarks>
/// <para>Handles opened with the same offset, length, flags, protection and access share one <see cref="Mapping"/>:
/// one set of page tables and one write fault per page, whatever the number of handles. A handle's cursor lives in the
/// handle and is put into the map for the duration of each operation. Copy-on-write and anonymous maps are never shared.</para>
/// <para>Not thread-safe: its owner (the FileOwner actor) calls it from one thread at a time.</para>
/// </remarks>
internal sealed class SharedFile
{
    private readonly Dictionary<long, SharedHandle> _handles = new();
    private readonly List<Mapping> _mappings = new();
    private readonly MmapSettings _settings;
    private readonly ResourceBudget _budget;
    private long _nextHandleId = 1;

    /// <param name="key">The canonical path, or <c>anonymous:N</c>.</param>
    /// <param name="path">The canonical path, or <see langword="null"/> for anonymous memory or a served file.</param>
    /// <param name="root">The served root: re-opens resolve beneath it, by the handle's relative path.</param>
    /// <param name="settings">The limits and the read-only switch.</param>
    /// <param name="budget">The limits every file of the supervisor shares.</param>
    public SharedFile(string key, string? path, ServedRoot? root, MmapSettings settings, ResourceBudget budget)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(budget);
        Key = key;
        Path = path;
        Root = root;
        _settings = settings;
        _budget = budget;
    }

    /// <summary>The canonical path, or <c>anonymous:N</c>.</summary>
    public string Key { get; }

    /// <summary>The canonical path, or <see langword="null"/>.</summary>
    public string? Path { get; }

    /// <summary>The served root, when the file is served beneath one.</summary>
    public ServedRoot? Root { get; }

    /// <summary>The limits this file shares with every other file of its supervisor.</summary>
    public ResourceBudget Budget => _budget;

    /// <summary>Open handles.</summary>
    public int HandleCount => _handles.Count;

    /// <summary>Distinct mappings behind the open handles (fewer than the handles when they share).</summary>
    public int MappingCount => _mappings.Count;

    /// <summary>The open handles.</summary>
    public IEnumerable<SharedHandle> Handles => _handles.Values;

    /// <summary>Opens a handle, sharing an existing mapping when one shows exactly what a new one would.</summary>
    /// <param name="options">What to map.</param>
    /// <param name="client">Who holds the handle (the budget counts handles per holder).</param>
    /// <param name="served">A descriptor the supervisor already resolved beneath the served root, or null.</param>
    /// <returns>The new handle.</returns>
    /// <exception cref="MmapException">Python's error for the open, or a limit's refusal.</exception>
    public SharedHandle Open(MapOptions options, object client, ServedFile? served = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(client);
        if (_budget.AddHandle(client) is { } refusal)
        {
            throw refusal;
        }
        try
        {
            var fresh = OpenMap(options, served);
            if (!_budget.TryMap(fresh.Length))
            {
                long length = fresh.Length;
                fresh.Close();
                throw Limits.MappedBytes($"mapping {length} more bytes", _settings.MaxMappedBytes);
            }
            var mapping = _mappings.Find(m => m.CanShareWith(options, fresh));
            if (mapping is null)
            {
                mapping = new Mapping(fresh, options);
                _mappings.Add(mapping);
            }
            else
            {
                fresh.Close(); // what it would show is already mapped
            }
            mapping.Handles++;
            var handle = new SharedHandle(_nextHandleId++, options, client, mapping);
            _handles.Add(handle.Id, handle);
            return handle;
        }
        catch
        {
            _budget.RemoveHandle(client);
            throw;
        }
    }

    /// <summary>Runs one operation on a handle; a handle that was closed (or never existed) behaves as a closed map.</summary>
    /// <remarks>A request from the network may lack a field (a null operation, list or array): that is the caller's error,
    /// answered as a TypeError with <see cref="MmapErrorCode.InvalidRequest"/>, never a failure of the owner.</remarks>
    public MapReply Execute(long handleId, MapOperation? operation) => Execute(handleId, operation, shared: false)!;

    /// <summary>
    /// Runs an operation that <see cref="MapOperation.SharesTurn"/> while other such operations may run on other threads:
    /// nothing here writes (not even the cursor, which <see cref="Execute(long, MapOperation?)"/> hands to the map), so
    /// concurrent runs cannot disturb each other; the turn keeps every writer out meanwhile.
    /// </summary>
    /// <returns>The reply, or null when the operation <see cref="MapOperation.MayBlock"/> (the owner must run it).</returns>
    public MapReply? ExecuteShared(long handleId, MapOperation operation) => Execute(handleId, operation, shared: true);

    private MapReply? Execute(long handleId, MapOperation? operation, bool shared)
    {
        try
        {
            if (operation is null)
            {
                throw Malformed();
            }
            if (!_handles.TryGetValue(handleId, out var handle))
            {
                return operation.RunClosed();
            }
            if (!shared)
            {
                return Run(handle, operation, checkLimit: true);
            }
            var map = handle.Mapping.Map;
            if (operation.MayBlock(map))
            {
                return null;
            }
            if (_settings.MaxRangeLength > 0)
            {
                CheckRange(operation.RangeLength(map));
            }
            return operation.Run(new OperationContext(this, handle, map));
        }
        catch (MmapException e)
        {
            return MmapError.From(e);
        }
        catch (Exception e) when (e is NullReferenceException or ArgumentNullException)
        {
            return MmapError.From(Malformed());
        }
    }

    private static MmapException Malformed() =>
        new(MmapErrorKind.TypeError, "malformed request: an operation or one of its values is missing") { Code = MmapErrorCode.InvalidRequest };

    /// <summary>Whether <paramref name="operation"/> may block its thread for long (see <see cref="MapOperation.MayBlock"/>).</summary>
    public bool MayBlock(long handleId, MapOperation? operation)
    {
        if (operation is null || !_handles.TryGetValue(handleId, out var handle))
        {
            return false;
        }
        var map = handle.Mapping.Map;
        map.Position = handle.Position;
        try
        {
            return operation.MayBlock(map);
        }
        catch (Exception e) when (e is MmapException or NullReferenceException or ArgumentNullException)
        {
            return false; // it will fail at once when it runs
        }
    }

    private MapReply Run(SharedHandle handle, MapOperation operation, bool checkLimit)
    {
        var map = handle.Mapping.Map;
        map.Position = handle.Position;
        bool batch = operation is Batch; // its operations keep the cursor themselves (one may move the handle to another mapping)
        try
        {
            if (checkLimit && !batch && _settings.MaxRangeLength > 0)
            {
                CheckRange(operation.RangeLength(map));
            }
            return operation.Run(new OperationContext(this, handle, map));
        }
        finally
        {
            if (!batch)
            {
                handle.Position = map.Position;
            }
        }
    }

    /// <summary>
    /// Runs a batch in one turn, stopping at the first error. Under <c>max-range-length</c> the batch's total (what its
    /// operations carry and ask for) is checked before anything runs, and again as each runs (a cursor moved by one
    /// is measured when the next runs); a batch inside a batch is refused.
    /// </summary>
    internal MapReply RunBatch(SharedHandle handle, Batch batch)
    {
        foreach (var operation in batch.Operations ?? throw Malformed())
        {
            if (operation is null)
            {
                throw new MmapException(MmapErrorKind.TypeError, "a batch cannot contain a null operation") { Code = MmapErrorCode.InvalidRequest };
            }
            if (operation is Batch)
            {
                throw Batch.Nested();
            }
        }
        long limit = _settings.MaxRangeLength;
        var map = handle.Mapping.Map;
        if (limit > 0)
        {
            CheckRange(batch.RangeLength(map));
        }
        map.BeginTurn();
        try
        {
            long total = 0;
            return RunOperations(batch, operation =>
            {
                if (!_handles.ContainsKey(handle.Id))
                {
                    return operation.RunClosed(); // the batch closed its handle
                }
                if (limit > 0)
                {
                    var current = handle.Mapping.Map;
                    current.Position = handle.Position;
                    long length = operation.RangeLength(current);
                    total = length > long.MaxValue - total ? long.MaxValue : total + length;
                    CheckRange(total);
                }
                return Run(handle, operation, checkLimit: false);
            });
        }
        finally
        {
            map.EndTurn();
        }
    }

    /// <summary>Runs a batch's operations in order, stopping at the first error, whose index the reply gives.</summary>
    internal static BatchReply RunOperations(Batch batch, Func<MapOperation, MapReply> execute)
    {
        var operations = batch.Operations;
        var results = new List<MapReply>(operations.Count);
        for (int i = 0; i < operations.Count; i++)
        {
            MapReply reply;
            try
            {
                reply = operations[i] is Batch ? throw Batch.Nested() : execute(operations[i]);
            }
            catch (MmapException e)
            {
                reply = MmapError.From(e);
            }
            if (reply is MmapError error)
            {
                return new BatchReply(results, i, error);
            }
            results.Add(reply);
        }
        return new BatchReply(results, -1, null);
    }

    private void CheckRange(long requested)
    {
        if (requested > _settings.MaxRangeLength)
        {
            throw Limits.RangeLength(requested, _settings.MaxRangeLength);
        }
    }

    /// <summary>Closes a handle (Python's <c>close()</c> on its map object).</summary>
    /// <exception cref="MmapException">BufferError while the handle holds leases; it stays open.</exception>
    internal void Close(SharedHandle handle)
    {
        if (handle.Leases.Count > 0)
        {
            throw new MmapException(MmapErrorKind.BufferError, "cannot close exported pointers exist");
        }
        Forget(handle);
    }

    /// <summary>Pins the handle's memory (Python's <c>memoryview(m)</c>).</summary>
    internal MemoryMapLease Lease(SharedHandle handle)
    {
        var lease = handle.Mapping.Map.Lease();
        handle.Leases.Push(lease);
        return lease;
    }

    /// <summary>Releases the handle's latest lease; when its mapping is no longer leased, it follows a resize it missed.</summary>
    internal void ReleaseLease(SharedHandle handle)
    {
        if (!handle.Leases.TryPop(out var lease))
        {
            return;
        }
        lease.Dispose();
        var mapping = handle.Mapping;
        if (!mapping.IsLeased && mapping.PendingLength is { } pending)
        {
            mapping.PendingLength = null;
            Follow(mapping, pending);
        }
    }

    /// <summary>Python's <c>resize(newsize)</c> through <paramref name="handle"/>; every shared mapping of the file follows.</summary>
    internal void Resize(SharedHandle handle, long newSize)
    {
        if (handle.Leases.Count > 0)
        {
            // The handle's own leases, as CPython checks its own exports (another handle's leases do not stop it).
            throw new MmapException(MmapErrorKind.BufferError, "mmap can't resize with extant buffers exported.");
        }
        var mapping = handle.Mapping;
        var map = mapping.Map;
        long length = map.Length;
        if (_settings.MaxFileSize > 0 && newSize > 0 && (newSize > _settings.MaxFileSize || map.Offset > _settings.MaxFileSize - newSize))
        {
            throw Limits.FileSize(map.Offset + newSize, _settings.MaxFileSize);
        }
        long growth = Math.Max(0, newSize - length);
        using var disk = AdmitFileGrowth(map, newSize);
        if (!_budget.TryMap(growth))
        {
            throw Limits.MappedBytes($"growing by {growth} bytes", _settings.MaxMappedBytes);
        }
        try
        {
            if (mapping.Handles > 1 && mapping.IsLeased)
            {
                // Another handle's lease pins this memory: this handle moves to a mapping of its own, and the leased
                // one follows the new length when its leases are gone (as a separate Python map object would).
                mapping = Split(handle, length);
                map = mapping.Map;
            }
            map.Resize(newSize);
        }
        catch
        {
            _budget.Unmap(growth);
            throw;
        }
        if (newSize < length)
        {
            _budget.Unmap(length - newSize);
        }
        _budget.Adjust((newSize - length) * (mapping.Handles - 1)); // the other handles of the mapping follow with it
        PropagateResize(mapping);
    }

    /// <summary>
    /// Grows the file through <paramref name="handle"/> so that the handle maps, and the file backs, at least
    /// <paramref name="length"/> bytes, never making the file shorter (<see cref="Protocol.GrowTo"/>). When both hold
    /// already it does nothing (one fstat, no error, even on a read-only map); otherwise this is <see cref="Resize"/>,
    /// with its checks and errors, to <paramref name="length"/> or to the file's current end if another handle grew it
    /// further: the handle's own length may lag the file's (a mapping pinned by a lease follows a resize only once
    /// released), and resizing to it would cut the file back. The file's end is asked, not only the map's: a file cut
    /// from outside under a longer map must grow back too, or the writes this growth is for would meet the cut (EIO);
    /// the map then shrinks to the length the file gets.
    /// </summary>
    /// <returns>The handle's length afterwards.</returns>
    internal long GrowTo(SharedHandle handle, long length)
    {
        var map = handle.Mapping.Map;
        if (length < 0)
        {
            throw new MmapException(MmapErrorKind.ValueError, "new size out of range"); // Resize's error for a negative size
        }
        long fileEnd = FileEnd(map);
        long backed = fileEnd > map.Offset ? fileEnd - map.Offset : 0;
        if (map.Length >= length && backed >= length)
        {
            return map.Length;
        }
        Resize(handle, Math.Max(length, backed));
        return handle.Mapping.Map.Length;
    }

    /// <summary>Where <paramref name="map"/>'s file ends now (one fstat), or where the map ends when it has no file to ask.</summary>
    private static long FileEnd(MemoryMap map)
    {
        if (map.IsAnonymous || map.Descriptor < 0)
        {
            return map.Offset + map.Length;
        }
        int errno = Native.LibC.FileStatus(map.Descriptor, out _, out long fileLength);
        if (errno != 0)
        {
            throw MmapException.FromErrno(errno);
        }
        return fileLength;
    }

    /// <summary>
    /// Asks <c>mmap.limits.min-free-disk</c> whether the file may become <paramref name="map"/>'s offset plus
    /// <paramref name="newSize"/> bytes long. Only a resize that makes the file itself longer asks (one fstat and one
    /// statfs); a shrink, a resize inside the file's length, anonymous memory and a resize the map refuses anyway (a
    /// read-only or copy-on-write map, a size out of range: its own error comes first, as in CPython) never do.
    /// </summary>
    private DiskFloor.Permit AdmitFileGrowth(MemoryMap map, long newSize)
    {
        var disk = _budget.Disk;
        if (disk.Setting.IsOff || map.IsAnonymous || map.IsPrivate || map.Access is MmapAccess.Read or MmapAccess.Copy ||
            map.Descriptor < 0 || newSize <= 0 || newSize > long.MaxValue - map.Offset)
        {
            return default;
        }
        long growth = map.Offset + newSize - FileEnd(map);
        return growth > 0 ? disk.Admit(map.Descriptor, growth, $"growing the file by {growth} bytes") : default;
    }

    /// <summary>Gives <paramref name="handle"/> a mapping of its own, opened as its options say, of <paramref name="length"/> bytes.</summary>
    private Mapping Split(SharedHandle handle, long length)
    {
        var old = handle.Mapping;
        var options = old.Options with { Length = length, Offset = old.Map.Offset };
        var mapping = new Mapping(OpenMap(options, served: null), options) { Handles = 1 };
        _mappings.Add(mapping);
        old.Handles--;
        handle.Mapping = mapping;
        return mapping;
    }

    /// <summary>After a resize, every other shared mapping of the file takes the file's new end as its end.</summary>
    private void PropagateResize(Mapping resized)
    {
        if (resized.Map.IsAnonymous)
        {
            return;
        }
        long fileEnd = resized.Map.Offset + resized.Map.Length;
        foreach (var other in _mappings)
        {
            if (ReferenceEquals(other, resized) || !other.IsShared || other.Map.Closed)
            {
                continue;
            }
            long length = fileEnd - other.Map.Offset;
            if (other.IsLeased)
            {
                other.PendingLength = length;
            }
            else
            {
                Follow(other, length);
            }
        }
    }

    /// <summary>Makes a mapping follow another's resize, keeping the budget exact for each of its handles (following never
    /// fails for budget reasons: the file already has that length).</summary>
    private void Follow(Mapping mapping, long length)
    {
        long before = mapping.Map.Length;
        if (mapping.Map.FollowResize(length))
        {
            _budget.Adjust((length - before) * mapping.Handles);
        }
    }

    /// <summary>Closes every handle <paramref name="client"/> holds, flushing first; leases they hold are dropped.</summary>
    /// <param name="client">The holder that went away.</param>
    /// <param name="flushFailed">Told of each flush that failed (the data may not have reached the file).</param>
    /// <returns>How many handles were closed.</returns>
    public int ReleaseClient(object client, Action<SharedHandle, MmapException>? flushFailed = null)
    {
        var released = _handles.Values.Where(h => Equals(h.Client, client)).ToList();
        foreach (var handle in released)
        {
            CloseForShutdown(handle, flushFailed);
        }
        return released.Count;
    }

    /// <summary>Flushes and closes every handle (the owner is stopping); leases are dropped, their holder is gone.</summary>
    /// <returns>How many handles were closed.</returns>
    public int CloseAll(Action<SharedHandle, MmapException>? flushFailed = null)
    {
        var all = _handles.Values.ToList();
        foreach (var handle in all)
        {
            CloseForShutdown(handle, flushFailed);
        }
        return all.Count;
    }

    private void CloseForShutdown(SharedHandle handle, Action<SharedHandle, MmapException>? flushFailed)
    {
        if (handle.Mapping.Map.TryFlushAll() is { } error)
        {
            flushFailed?.Invoke(handle, error);
        }
        while (handle.Leases.TryPop(out var lease))
        {
            lease.Dispose();
        }
        Forget(handle);
    }

    /// <summary>Removes a handle without leases, closing its mapping if it was the last to use it, and returns what it held to the budget.</summary>
    private void Forget(SharedHandle handle)
    {
        var mapping = handle.Mapping;
        long length = mapping.Map.Closed ? 0 : mapping.Map.Length;
        if (--mapping.Handles == 0)
        {
            mapping.Map.Close(); // no lease is left: every lease belongs to a handle, and this was the last
            _mappings.Remove(mapping);
        }
        _handles.Remove(handle.Id);
        _budget.Unmap(length);
        _budget.RemoveHandle(handle.Client);
    }

    /// <summary>
    /// After the owner restarted: re-creates every shared mapping from its options, keeping its length (the cursors live in
    /// the handles). Copy-on-write mappings are kept (re-opening would lose their private pages), and so are leased ones
    /// (leased memory must not move).
    /// </summary>
    /// <returns>How many mappings were re-opened.</returns>
    public int ReopenSharedMappings()
    {
        int reopened = 0;
        foreach (var mapping in _mappings)
        {
            var old = mapping.Map;
            if (!mapping.IsShared || old.Closed || mapping.IsLeased)
            {
                continue;
            }
            mapping.Map = OpenMap(mapping.Options with { Length = old.Length, Offset = old.Offset }, served: null);
            old.Close();
            reopened++;
        }
        return reopened;
    }

    /// <summary>The file as the supervisor reports it; <paramref name="clientName"/> names each holder.</summary>
    public FileStats Stats(Func<object, string> clientName)
    {
        ArgumentNullException.ThrowIfNull(clientName);
        var perClient = _handles.Values.GroupBy(h => clientName(h.Client)).ToDictionary(g => g.Key, g => g.Count());
        long mapped = _handles.Values.Where(h => !h.Mapping.Map.Closed).Sum(h => h.Length);
        return new FileStats(Key, _handles.Count, mapped, perClient);
    }

    private MemoryMap OpenMap(MapOptions o, ServedFile? served)
    {
        var flags = o.Flags ?? MapFlags.Shared;
        var protection = o.Protection ?? (MapProtection.Read | MapProtection.Write);
        bool readOnly = o.OpensReadOnly || _settings.ReadOnly;
        if (served is not null)
        {
            return MemoryMap.FromFileDescriptor(served.Descriptor, o.Length, flags, protection, o.Access, o.Offset, o.TrackFd);
        }
        if (Root is { } root && o.Path is { } relative)
        {
            using var file = root.OpenFile(relative, writable: !readOnly);
            return MemoryMap.FromFileDescriptor(file.Descriptor, o.Length, flags, protection, o.Access, o.Offset, o.TrackFd);
        }
        return Path is null
            ? MemoryMap.FromFileDescriptor(-1, o.Length, flags, protection, o.Access, o.Offset, o.TrackFd)
            : MemoryMap.OpenPath(Path, readOnly, o.Length, flags, protection, o.Access, o.Offset, o.TrackFd);
    }
}
