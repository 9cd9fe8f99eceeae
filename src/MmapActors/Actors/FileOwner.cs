using Akka.Actor;
using Akka.Event;
using MmapActors.Diagnostics;
using MmapActors.Protocol;

namespace MmapActors.Actors;

/// <summary>
/// Owns one file (or one anonymous map) and serializes every operation on it: any number of clients may send
/// <see cref="MapRequest"/>s, and each runs alone, in arrival order. Each handle has its own map object, so
/// cursors and access modes are per handle while the file's contents and length are shared; a resize through one
/// handle is followed by every other shared handle.
/// </summary>
/// <remarks>
/// Errors are replies (<see cref="MmapError"/>), never exceptions across actors. An unexpected exception
/// restarts the owner: the handles live in <see cref="OwnerState"/>, outside the instance, and after a back-off
/// the shared maps are re-opened with their cursors intact (copy-on-write maps are kept, since re-opening would
/// lose their private pages).
/// </remarks>
internal sealed class FileOwner : UntypedActor, IWithStash, IWithTimers
{
    private readonly OwnerState _state;
    private readonly MmapSettings _settings;
    private readonly ResourceBudget _budget;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private long _idleGeneration;

    public FileOwner(OwnerState state, MmapSettings settings, ResourceBudget budget)
    {
        _state = state;
        _settings = settings;
        _budget = budget;
    }

    public IStash Stash { get; set; } = null!;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props on the owner dispatcher. Validates eagerly so a bad call fails at the caller.</summary>
    public static Props Props(OwnerState state, MmapSettings settings, ResourceBudget budget)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(budget);
        return Akka.Actor.Props.Create(() => new FileOwner(state, settings, budget)).WithDispatcher(MmapSettings.OwnerDispatcherId);
    }

    protected override void PreStart()
    {
        if (_state.Restarts > 0)
        {
            var delay = _settings.BackoffFor(_state.Restarts);
            _log.Warning("Owner of {0} restarted ({1} in a row); re-opening its maps in {2}", _state.Key, _state.Restarts, delay);
            Become(Reopening);
            Timers.StartSingleTimer(Reopen.Instance, Reopen.Instance, delay);
        }
        else
        {
            ScheduleIdleCheckIfIdle();
        }
    }

    protected override void PreRestart(Exception reason, object message)
    {
        // Keep the maps (they are in _state); do not run PostStop, which would close them.
        _state.Restarts++;
        if (message is MapRequest request && !Sender.IsNobody())
        {
            var error = new MmapError(MmapErrorKind.OSError,
                $"[Errno 5] Input/output error: the owner of {_state.Key} failed ({reason.GetType().Name}: {reason.Message}) and is restarting; " +
                "the operation may not have been applied", 5);
            MmapMetrics.RecordOperation(request.Operation, error);
            Sender.Tell(error);
        }
        Stash.UnstashAll();
    }

    protected override void PostStop()
    {
        FlushAndClose();
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case MapRequest request:
                var reply = Execute(request.HandleId, request.Operation);
                MmapMetrics.RecordOperation(request.Operation, reply);
                Sender.Tell(reply);
                _state.Restarts = 0; // it works again: the next failure starts the back-off from the minimum
                break;
            case OpenMap open:
                Open(open, null);
                break;
            case OpenServedFile served:
                using (served.File)
                {
                    Open(served.Open, served.File);
                }
                break;
            case ReleaseClient release:
                ReleaseHandlesOf(release.Client);
                break;
            case IdleCheck check when check.Generation == _idleGeneration && _state.Handles.Count == 0:
                Context.Parent.Tell(new OwnerIdle(_state.OpensSeen));
                break;
            case IdleCheck:
                break;
            case GetFileStats:
                Sender.Tell(Stats());
                break;
            case FlushAndCloseAll:
                FlushAndClose();
                Sender.Tell(Done.Instance);
                break;
            case InjectFault fault when _settings.EnableTestHooks:
                throw new InjectedFaultException(fault.Reason);
            case InjectFault:
                _log.Warning("Ignored InjectFault for {0}: mmap.enable-test-hooks is off", _state.Key);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Reopening(object message)
    {
        if (message is Reopen)
        {
            ReopenSharedMaps();
            Become(OnReceive);
            Stash.UnstashAll();
            ScheduleIdleCheckIfIdle();
        }
        else
        {
            Stash.Stash();
        }
    }

    /// <summary>Re-creates every shared map from its options, restoring its length and cursor.</summary>
    private void ReopenSharedMaps()
    {
        foreach (var handle in _state.Handles.Values)
        {
            var old = handle.Map;
            if (!handle.IsShared || old.Closed || handle.Leases.Count > 0)
            {
                continue; // private pages would be lost; a leased map must not move
            }
            var options = handle.Options with { Length = old.Length, Offset = old.Offset };
            var reopened = OpenMapFor(options, served: null);
            reopened.Position = old.Position;
            handle.Map = reopened;
            old.Close();
        }
        _log.Info("Owner of {0} re-opened {1} handle(s)", _state.Key, _state.Handles.Count);
    }

    private void Open(OpenMap open, ServedFile? served)
    {
        _state.OpensSeen++;
        if (!_budget.TryAddHandle(open.Client))
        {
            var refused = new MmapError(MmapErrorKind.OSError,
                $"[Errno 24] Too many open files: {open.Client.Path.Address} holds the {_settings.MaxHandlesPerNode} handles " +
                "mmap.limits.max-handles-per-node allows", 24);
            MmapMetrics.RecordOpen(refused);
            Sender.Tell(refused);
            ScheduleIdleCheckIfIdle();
            return;
        }
        try
        {
            var map = OpenMapFor(open.Options, served);
            if (!_budget.TryMap(map.Length))
            {
                long length = map.Length;
                map.Close();
                throw new MmapException(MmapErrorKind.OSError,
                    $"[Errno 12] Cannot allocate memory: mapping {length} more bytes would pass mmap.limits.max-mapped-bytes ({_settings.MaxMappedBytes})", 12);
            }
            long id = _state.NextHandleId++;
            _state.Handles.Add(id, new HandleState(id, open.Options, open.Client, map));
            MmapMetrics.HandleOpened();
            MmapMetrics.RecordOpen(null);
            _idleGeneration++;
            Sender.Tell(new MapOpened(Self, id, _state.Key, map.Access));
        }
        catch (MmapException e)
        {
            _budget.RemoveHandle(open.Client);
            MmapMetrics.RecordOpen(MmapError.From(e));
            Sender.Tell(MmapError.From(e));
            ScheduleIdleCheckIfIdle();
        }
    }

    private MemoryMap OpenMapFor(MapOptions o, ServedFile? served)
    {
        var flags = o.Flags ?? MapFlags.Shared;
        var protection = o.Protection ?? (MapProtection.Read | MapProtection.Write);
        bool readOnly = o.OpensReadOnly || _settings.ReadOnly;
        if (served is not null)
        {
            return MemoryMap.FromFileDescriptor(served.Descriptor, o.Length, flags, protection, o.Access, o.Offset, o.TrackFd);
        }
        if (_state.Root is { } root && o.Path is { } relative)
        {
            using var file = root.OpenFile(relative, writable: !readOnly);
            return MemoryMap.FromFileDescriptor(file.Descriptor, o.Length, flags, protection, o.Access, o.Offset, o.TrackFd);
        }
        return _state.Path is null
            ? MemoryMap.FromFileDescriptor(-1, o.Length, flags, protection, o.Access, o.Offset, o.TrackFd)
            : MemoryMap.OpenPath(_state.Path, readOnly, o.Length, flags, protection, o.Access, o.Offset, o.TrackFd);
    }

    private MapReply Execute(long handleId, MapOperation operation)
    {
        if (!_state.Handles.TryGetValue(handleId, out var handle))
        {
            return ExecuteOnClosed(operation);
        }
        try
        {
            return Execute(handle, operation);
        }
        catch (MmapException e)
        {
            return MmapError.From(e);
        }
    }

    /// <summary>A handle that was closed (or never existed) behaves as a closed Python map.</summary>
    private static MapReply ExecuteOnClosed(MapOperation operation) => operation switch
    {
        Close => Done.Instance,
        IsClosed => new BooleanReply(true),
        Repr => new TextReply("<mmap.mmap closed=True>"),
        Batch batch => RunOperations(batch.Operations, ExecuteOnClosed),
        _ => MmapError.From(new MmapException(MmapErrorKind.ValueError, "mmap closed or invalid")),
    };

    private MapReply Execute(HandleState handle, MapOperation operation)
    {
        var m = handle.Map;
        if (_settings.MaxRangeLength > 0)
        {
            CheckRangeLimit(m, operation);
        }
        switch (operation)
        {
            case ReadAt r:
                return new BytesReply(ReadAt(m, r.Offset, r.Count));
            case ReadAtInto r:
                return r.Cancellation.IsCancellationRequested ? Canceled.Instance : new NumberReply(m.ReadAt(r.Offset, r.Destination.Span));
            case WriteAt w:
                m.WriteAt(w.Offset, w.Data);
                return Done.Instance;
            case CompareAndSwap cas:
                CompareAndSwap(m, cas);
                return Done.Instance;
            case Read r:
                return new BytesReply(r.Count is { } n ? m.Read(n) : m.Read());
            case ReadInto r:
                return r.Cancellation.IsCancellationRequested ? Canceled.Instance : new NumberReply(m.Read(r.Destination.Span));
            case ReadByte:
                return new NumberReply(m.ReadByte());
            case ReadLine:
                return new BytesReply(m.ReadLine());
            case Write w:
                return new NumberReply(m.Write(w.Data));
            case WriteByte w:
                m.WriteByte(w.Value);
                return Done.Instance;
            case Seek s:
                return new NumberReply(m.Seek(s.Position, s.Whence));
            case Tell:
                return new NumberReply(m.Tell());
            case Find f:
                return new NumberReply(Find(m, f));
            case Flush f:
                if (f.Offset is null) m.Flush();
                else if (f.Size is null) m.Flush(f.Offset.Value);
                else m.Flush(f.Offset.Value, f.Size.Value);
                return Done.Instance;
            case Madvise a:
                if (a.Start is null) m.Madvise(a.Option);
                else if (a.Length is null) m.Madvise(a.Option, a.Start.Value);
                else m.Madvise(a.Option, a.Start.Value, a.Length.Value);
                return Done.Instance;
            case Move mv:
                m.Move(mv.Destination, mv.Source, mv.Count);
                return Done.Instance;
            case Resize r:
                Resize(handle, r.NewSize);
                return Done.Instance;
            case Size:
                return new NumberReply(m.Size());
            case Length:
                return new NumberReply(m.Length);
            case GetItem g:
                return new NumberReply(m[g.Index]);
            case SetItem s:
                m[s.Index] = s.Value;
                return Done.Instance;
            case GetSlice g:
                return new BytesReply(m.GetSlice(g.Start, g.Stop, g.Step));
            case SetSlice s:
                m.SetSlice(s.Start, s.Stop, s.Step, s.Value);
                return Done.Instance;
            case DeleteItem d:
                m.DeleteItem(d.Index);
                return Done.Instance;
            case DeleteSlice d:
                m.DeleteSlice(d.Start, d.Stop, d.Step);
                return Done.Instance;
            case Contains c:
                return new BooleanReply(m.Contains(c.Item));
            case ToBytes:
                return new BytesReply(m.ToArray());
            case Repr:
                return new TextReply(m.ToString());
            case IsClosed:
                return new BooleanReply(m.Closed);
            case Close:
                CloseHandle(handle); // BufferError while leased: the handle stays open
                _state.Handles.Remove(handle.Id);
                MmapMetrics.HandlesClosed(1);
                ScheduleIdleCheckIfIdle();
                return Done.Instance;
            case AcquireLease:
            {
                var lease = m.Lease();
                handle.Leases.Push(lease);
                return new LeaseReply(lease.IsReadOnly, lease.Length);
            }
            case ReleaseLease:
                if (handle.Leases.TryPop(out var held))
                {
                    held.Dispose();
                    if (handle.Leases.Count == 0 && handle.PendingLength is { } pending)
                    {
                        Follow(handle, pending);
                        handle.PendingLength = null;
                    }
                }
                return Done.Instance;
            case Batch batch:
                return RunBatch(handle, batch);
            default:
                throw new MmapException(MmapErrorKind.TypeError, $"unsupported operation {operation.GetType().Name}");
        }
    }

    /// <summary>Runs a batch in this turn; no other message is processed until it ends. Stops at the first error.</summary>
    private MapReply RunBatch(HandleState handle, Batch batch)
    {
        handle.Map.BeginTurn();
        try
        {
            // A batch may close its handle part-way; what follows then sees a closed map.
            return RunOperations(batch.Operations,
                operation => _state.Handles.ContainsKey(handle.Id) ? Execute(handle, operation) : ExecuteOnClosed(operation));
        }
        finally
        {
            handle.Map.EndTurn();
        }
    }

    /// <summary>Runs operations in order, stopping at the first error, whose index the reply gives.</summary>
    private static BatchReply RunOperations(IReadOnlyList<MapOperation> operations, Func<MapOperation, MapReply> execute)
    {
        var results = new List<MapReply>(operations.Count);
        for (int i = 0; i < operations.Count; i++)
        {
            MapReply reply;
            try
            {
                reply = execute(operations[i]);
            }
            catch (MmapException e)
            {
                reply = MmapError.From(e);
            }
            MmapMetrics.RecordOperation(operations[i], reply);
            if (reply is MmapError error)
            {
                return new BatchReply(results, i, error);
            }
            results.Add(reply);
        }
        return new BatchReply(results, -1, null);
    }

    private static byte[] ReadAt(MemoryMap m, long offset, int count)
    {
        if (count < 0)
        {
            throw new MmapException(MmapErrorKind.ValueError, "read count out of range");
        }
        long length = m.Length;
        if (offset < 0 || offset > length)
        {
            throw new MmapException(MmapErrorKind.ValueError, "read position out of range");
        }
        var data = new byte[Math.Min(count, length - offset)];
        m.ReadAt(offset, data);
        return data;
    }

    private static void CompareAndSwap(MemoryMap m, CompareAndSwap cas)
    {
        if (cas.Expected.Length != cas.Replacement.Length)
        {
            throw new MmapException(MmapErrorKind.ValueError, "compare-and-swap needs an expected value and a replacement of equal length");
        }
        long length = m.Length;
        if (m.Access == MmapAccess.Read)
        {
            throw new MmapException(MmapErrorKind.TypeError, "mmap can't modify a readonly memory map.");
        }
        if (cas.Offset < 0 || cas.Offset > length - cas.Expected.Length)
        {
            throw new MmapException(MmapErrorKind.ValueError, "data out of range");
        }
        Span<byte> current = cas.Expected.Length <= 256 ? stackalloc byte[cas.Expected.Length] : new byte[cas.Expected.Length];
        m.ReadAt(cas.Offset, current);
        if (!current.SequenceEqual(cas.Expected))
        {
            throw new MmapException(MmapErrorKind.ValueError, Protocol.CompareAndSwap.FailedPrefix + $" the {cas.Expected.Length} bytes at {cas.Offset} differ from the expected value");
        }
        m.WriteAt(cas.Offset, cas.Replacement);
    }

    private static long Find(MemoryMap m, Find f) => (f.Start, f.End, f.Reverse) switch
    {
        (null, _, false) => m.Find(f.Sub),
        ({ } s, null, false) => m.Find(f.Sub, s),
        ({ } s, { } e, false) => m.Find(f.Sub, s, e),
        (null, _, true) => m.RFind(f.Sub),
        ({ } s, null, true) => m.RFind(f.Sub, s),
        ({ } s, { } e, true) => m.RFind(f.Sub, s, e),
    };

    /// <summary>After a resize, every other shared handle on the file takes the file's new end as its end.</summary>
    private void PropagateResize(HandleState resized)
    {
        if (resized.Map.IsAnonymous)
        {
            return;
        }
        long fileEnd = resized.Map.Offset + resized.Map.Length;
        foreach (var other in _state.Handles.Values)
        {
            if (ReferenceEquals(other, resized) || !other.IsShared || other.Map.Closed)
            {
                continue;
            }
            long length = fileEnd - other.Map.Offset;
            if (other.Leases.Count > 0)
            {
                other.PendingLength = length;
            }
            else
            {
                Follow(other, length);
            }
        }
    }

    private void ReleaseHandlesOf(IActorRef client)
    {
        var released = _state.Handles.Values.Where(h => h.Client.Equals(client)).ToList();
        foreach (var handle in released)
        {
            CloseHandleForShutdown(handle);
            _state.Handles.Remove(handle.Id);
        }
        MmapMetrics.HandlesClosed(released.Count);
        if (released.Count > 0)
        {
            _log.Info("Released {0} handle(s) on {1} held by {2}", released.Count, _state.Key, client.Path);
            ScheduleIdleCheckIfIdle();
        }
    }

    private void FlushAndClose()
    {
        foreach (var handle in _state.Handles.Values)
        {
            CloseHandleForShutdown(handle);
        }
        MmapMetrics.HandlesClosed(_state.Handles.Count);
        _state.Handles.Clear();
    }

    /// <summary>Flushes a shared writable map, then closes it even if leases are outstanding (their owner is gone).</summary>
    private void CloseHandleForShutdown(HandleState handle)
    {
        if (handle.Map.TryFlushAll() is { } error)
        {
            _log.Error("Flushing {0} (handle {1}) failed: {2}", _state.Key, handle.Id, error.Message);
        }
        while (handle.Leases.TryPop(out var lease))
        {
            lease.Dispose();
        }
        CloseHandle(handle);
    }

    /// <summary>Closes a handle's map and returns what it held to the budget.</summary>
    private void CloseHandle(HandleState handle)
    {
        if (handle.Map.Closed)
        {
            return;
        }
        long length = handle.Map.Length;
        handle.Map.Close();
        _budget.Unmap(length);
        _budget.RemoveHandle(handle.Client);
    }

    private void Resize(HandleState handle, long newSize)
    {
        var m = handle.Map;
        long length = m.Length;
        if (_settings.MaxFileSize > 0 && newSize > 0 && (newSize > _settings.MaxFileSize || m.Offset > _settings.MaxFileSize - newSize))
        {
            throw new MmapException(MmapErrorKind.ValueError,
                $"new size out of range: {m.Offset + newSize} bytes would pass mmap.limits.max-file-size ({_settings.MaxFileSize})");
        }
        long growth = Math.Max(0, newSize - length);
        if (!_budget.TryMap(growth))
        {
            throw new MmapException(MmapErrorKind.OSError,
                $"[Errno 12] Cannot allocate memory: growing by {growth} bytes would pass mmap.limits.max-mapped-bytes ({_settings.MaxMappedBytes})", 12);
        }
        try
        {
            m.Resize(newSize);
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
        PropagateResize(handle);
    }

    /// <summary>Makes a handle follow another's resize, keeping the budget exact (following never fails for budget reasons:
    /// the file already has that length).</summary>
    private void Follow(HandleState handle, long length)
    {
        long before = handle.Map.Length;
        if (handle.Map.FollowResize(length))
        {
            _budget.Adjust(length - before);
        }
    }

    /// <summary>Refuses a request that carries or asks for more than <c>mmap.limits.max-range-length</c> bytes, before it runs.</summary>
    private void CheckRangeLimit(MemoryMap m, MapOperation operation)
    {
        long requested = operation switch
        {
            ReadAt r => r.Count,
            Read r => Math.Min(r.Count is { } n and >= 0 ? n : long.MaxValue, Math.Max(0, m.Length - m.Position)),
            Write w => w.Data.Length,
            WriteAt w => w.Data.Length,
            SetSlice s => s.Value.Length,
            GetSlice g => PythonSlice.Adjust(m.Length, g.Start, g.Stop, g.Step, out _, out _),
            ToBytes => m.Length,
            Batch b => b.Operations.Sum(o => o switch
            {
                ReadAt r => (long)r.Count,
                WriteAt w => w.Data.Length,
                Write w => w.Data.Length,
                _ => 0L,
            }),
            _ => 0,
        };
        if (requested > _settings.MaxRangeLength)
        {
            throw new MmapException(MmapErrorKind.ValueError,
                $"range of {requested} bytes passes mmap.limits.max-range-length ({_settings.MaxRangeLength}); " +
                "stream it with ReadRangeAsync/WriteRangeAsync");
        }
    }

    private FileStats Stats()
    {
        var perClient = _state.Handles.Values
            .GroupBy(h => h.Client.Path.ToString())
            .ToDictionary(g => g.Key, g => g.Count());
        long mapped = _state.Handles.Values.Where(h => !h.Map.Closed).Sum(h => h.Map.Length);
        return new FileStats(_state.Key, _state.Handles.Count, mapped, perClient);
    }

    private void ScheduleIdleCheckIfIdle()
    {
        if (_state.Handles.Count == 0)
        {
            long generation = ++_idleGeneration;
            Timers.StartSingleTimer("idle", new IdleCheck(generation), _settings.IdleTimeout);
        }
    }
}
