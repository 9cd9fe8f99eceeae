using Akka.Actor;
using Akka.Event;
using MmapActors.Diagnostics;
using MmapActors.Owner;
using MmapActors.Protocol;

namespace MmapActors.Actors;

/// <summary>
/// The actor shell of one file (or one anonymous map): it routes requests to the file's <see cref="SharedFile"/>, one at
/// a time and in arrival order, records metrics, passivates when no handle is left, and restarts with a back-off after
/// an unexpected exception. What the operations do is the <see cref="SharedFile"/>'s and the operations' business.
/// </summary>
/// <remarks>
/// Errors are replies (<see cref="MmapError"/>), never exceptions across actors. An unexpected exception restarts the
/// owner: the file lives in <see cref="OwnerState"/>, outside the instance, and after a back-off its shared mappings are
/// re-opened with the cursors intact (copy-on-write mappings are kept, since re-opening would lose their private pages).
/// </remarks>
internal sealed class FileOwner : UntypedActor, IWithStash, IWithTimers
{
    private readonly OwnerState _state;
    private readonly SharedFile _file;
    private readonly FileTurn _turn;
    private readonly MmapSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private long _idleGeneration;
    private Task? _offHotPath; // the work running on a thread of its own, if any
    private bool _keepsTurn; // blocked or re-opening: the turn stays the owner's between messages

    public FileOwner(OwnerState state, MmapSettings settings)
    {
        _state = state;
        _file = state.File;
        _turn = state.Turn;
        _settings = settings;
        var self = Self;
        _turn.ObserveFailures(e => self.Tell(new TurnFailed(e)));
    }

    public IStash Stash { get; set; } = null!;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props on the owner dispatcher. Validates eagerly so a bad call fails at the caller.</summary>
    public static Props Props(OwnerState state, MmapSettings settings)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(settings);
        return Akka.Actor.Props.Create(() => new FileOwner(state, settings)).WithDispatcher(MmapSettings.OwnerDispatcherId);
    }

    protected override void PreStart()
    {
        if (_state.Restarts > 0)
        {
            var delay = _settings.BackoffFor(_state.Restarts);
            _log.Warning("Owner of {0} restarted ({1} in a row); re-opening its maps in {2}", _state.Key, _state.Restarts, delay);
            _turn.Enter(); // kept since the failure; taken again if the failure was inline
            _keepsTurn = true;
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
        // Keep the file (it is in _state); do not run PostStop, which would close it.
        _state.Restarts++;
        if (reason is not InlineFailureException && message is MapRequest request && !Sender.IsNobody())
        {
            var error = RestartError(reason);
            MmapMetrics.RecordOperation(request.Operation, error);
            Sender.Tell(error);
        }
        Stash.UnstashAll();
    }

    private MmapError RestartError(Exception reason) => FileTurn.OwnerRestartError(_state.Key, reason);

    protected override void PostStop()
    {
        _turn.Stop(); // for good: no inline caller touches the file from now on
        // Stopped while work runs on the file elsewhere (a system shutting down): closing now would unmap memory under
        // it. Wait for it, within the shutdown budget; if it does not end, leave the maps to the process's exit.
        if (_offHotPath is { IsCompleted: false } running && !EndsWithin(running, _settings.ShutdownFlushTimeout))
        {
            _log.Error("Owner of {0} stopped while an operation still ran after {1}; its maps are left open", _state.Key, _settings.ShutdownFlushTimeout);
            return;
        }
        FlushAndClose();
    }

    private static bool EndsWithin(Task task, TimeSpan timeout)
    {
        try
        {
            return task.Wait(timeout);
        }
        catch (AggregateException)
        {
            return true; // it failed: it no longer touches the file
        }
    }

    /// <summary>
    /// Every message is handled holding the file's turn, so that no inline caller runs meanwhile. The turn is given back
    /// after the message unless the owner is blocked or re-opening, or the message failed (the owner restarts first).
    /// </summary>
    protected override bool AroundReceive(Receive receive, object message)
    {
        if (_turn.Enter() is { } inlineFailure)
        {
            // An inline operation failed: restart now, as if it had failed here, and handle this message afterwards.
            Stash.Stash();
            throw new InlineFailureException(inlineFailure);
        }
        bool handled = base.AroundReceive(receive, message); // an exception keeps the turn until the restart re-opened the maps
        if (!_keepsTurn)
        {
            _turn.Exit();
        }
        return handled;
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case MapRequest request when _file.MayBlock(request.HandleId, request.Operation):
                RunOffHotPath(request);
                break;
            case MapRequest request:
                Sender.Tell(Execute(request));
                _state.Restarts = 0; // it works again: the next failure starts the back-off from the minimum
                break;
            case OpenMap open:
                Open(open, null);
                break;
            case OpenServedFile served:
                Open(served.Open, served.File);
                break;
            case ReleaseClient release:
                ReleaseHandlesOf(release.Client);
                break;
            case IdleCheck check when check.Generation == _idleGeneration && _file.HandleCount == 0:
                Context.Parent.Tell(new OwnerIdle(_state.OpensSeen));
                break;
            case IdleCheck:
            case TurnFailed: // handled when it arrived (AroundReceive), or by an earlier message
                break;
            case GetFileStats:
                Sender.Tell(_file.Stats(ClientName));
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
            int reopened = _file.ReopenSharedMappings();
            _log.Info("Owner of {0} re-opened {1} mapping(s) of {2} handle(s)", _state.Key, reopened, _file.HandleCount);
            Become(OnReceive);
            _keepsTurn = false;
            Stash.UnstashAll();
            ScheduleIdleCheckIfIdle();
        }
        else
        {
            Stash.Stash();
        }
    }

    /// <summary>Runs one request on the file and records it.</summary>
    private MapReply Execute(MapRequest request)
    {
        int before = _file.HandleCount;
        var reply = _file.Execute(request.HandleId, request.Operation);
        Executed(request, reply, before);
        return reply;
    }

    /// <summary>Records a request that ran; a handle it closed may leave the file idle.</summary>
    private void Executed(MapRequest request, MapReply reply, int handlesBefore)
    {
        MmapMetrics.RecordOperation(request.Operation, reply);
        int closed = handlesBefore - _file.HandleCount;
        if (closed > 0)
        {
            MmapMetrics.HandlesClosed(closed);
            ScheduleIdleCheckIfIdle();
        }
    }

    /// <summary>
    /// Runs a request that may block (a system call that waits for the disk, or a scan or copy of many megabytes) on a
    /// thread of its own, so that the threads serving other files never wait for it. The file still runs one request at a
    /// time: until it is done, everything else this owner receives waits in the stash, in order.
    /// </summary>
    private void RunOffHotPath(MapRequest request)
    {
        int before = _file.HandleCount;
        RunOffHotPath(() => _file.Execute(request.HandleId, request.Operation), (reply, sender) =>
        {
            Executed(request, reply, before);
            sender.Tell(reply);
            _state.Restarts = 0;
        }, request);
    }

    private void Open(OpenMap open, ServedFile? served)
    {
        _state.OpensSeen++;
        // open(2) and mmap(2) wait for the file system: off the hot path too.
        RunOffHotPath<object>(() =>
        {
            try
            {
                using (served)
                {
                    return _file.Open(open.Options, open.Client, served);
                }
            }
            catch (MmapException e)
            {
                return e;
            }
            finally
            {
                if (served is not null)
                {
                    _file.Budget.OpenEnded(); // counted by the supervisor when it took the descriptor, closed now
                }
            }
        }, (outcome, sender) =>
        {
            if (outcome is SharedHandle handle)
            {
                MmapMetrics.HandleOpened();
                MmapMetrics.RecordOpen(null);
                _idleGeneration++;
                var map = handle.Mapping.Map;
                sender.Tell(new MapOpened(Self, handle.Id, _state.Key, map.Access)
                {
                    Length = map.Length,
                    IsPrivate = map.IsPrivate || map.IsAnonymous,
                    Turn = _turn,
                });
            }
            else
            {
                var e = (MmapException)outcome;
                MmapMetrics.RecordOpen(MmapError.From(e));
                sender.Tell(MmapError.From(e));
                ScheduleIdleCheckIfIdle();
            }
        }, open);
    }

    private void ReleaseHandlesOf(IActorRef client)
    {
        if (!_file.Handles.Any(h => client.Equals(h.Client)))
        {
            return; // every owner hears of every client that goes away
        }
        // Releasing flushes (msync): off the hot path.
        RunOffHotPath(() => _file.ReleaseClient(client, LogFlushFailure), (released, _) =>
        {
            MmapMetrics.HandlesClosed(released);
            if (released > 0)
            {
                _log.Info("Released {0} handle(s) on {1} held by {2}", released, _state.Key, client.Path);
                ScheduleIdleCheckIfIdle();
            }
        }, client);
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a dedicated thread (a long-running task: never a thread-pool thread another owner
    /// could need) and <paramref name="complete"/> back in the actor once it is done, stashing every other message
    /// meanwhile. <paramref name="work"/> touches only the file, which nothing else touches until then.
    /// </summary>
    private void RunOffHotPath<T>(Func<T> work, Action<T, IActorRef> complete, object request)
    {
        var sender = Sender;
        var self = Self;
        BecomeStacked(Blocked);
        _keepsTurn = true;
        Task<T> task;
        try
        {
            task = Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        catch (TaskSchedulerException e)
        {
            // No thread could be started: on Linux the runtime reports that as OutOfMemoryException, and it happens when
            // the process is out of descriptors. Thrown from here it would restart the owner and leave the caller
            // unanswered (and an open's descriptor unclosed); run the work here instead, holding the turn as a message
            // does. It blocks this dispatcher thread for once, and an open under such pressure fails fast with EMFILE.
            _log.Warning("Owner of {0} could not start a thread ({1}); running the operation on its dispatcher thread",
                _state.Key, e.InnerException?.Message ?? e.Message);
            task = RunHere(work);
        }
        _offHotPath = task;
        task.ContinueWith(t => self.Tell(new OffHotPathDone(
                    t.IsCompletedSuccessfully ? () => complete(t.Result, sender) : null,
                    t.Exception?.GetBaseException(), request, sender)),
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Runs <paramref name="work"/> on this thread, its outcome as a completed task.</summary>
    private static Task<T> RunHere<T>(Func<T> work)
    {
        try
        {
            return Task.FromResult(work());
        }
        catch (Exception e)
        {
            return Task.FromException<T>(e);
        }
    }

    /// <summary>While a request runs off the hot path: everything else waits, in order.</summary>
    private void Blocked(object message)
    {
        if (message is not OffHotPathDone done)
        {
            Stash.Stash();
            return;
        }
        UnbecomeStacked();
        _keepsTurn = false;
        Stash.UnstashAll();
        if (done.Failure is { } failure)
        {
            // As if it had failed in the actor: the caller hears of it, and the owner restarts with its back-off.
            if (done.Request is MapRequest request && !done.Sender.IsNobody())
            {
                var error = RestartError(failure);
                MmapMetrics.RecordOperation(request.Operation, error);
                done.Sender.Tell(error);
            }
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
        done.Complete!();
    }

    private void FlushAndClose() => MmapMetrics.HandlesClosed(_file.CloseAll(LogFlushFailure));

    private void LogFlushFailure(SharedHandle handle, MmapException error) =>
        _log.Error("Flushing {0} (handle {1}) failed: {2}", _state.Key, handle.Id, error.Message);

    private static string ClientName(object client) => client is IActorRef actor ? actor.Path.ToString() : client.ToString() ?? "";

    private void ScheduleIdleCheckIfIdle()
    {
        if (_file.HandleCount == 0)
        {
            long generation = ++_idleGeneration;
            Timers.StartSingleTimer("idle", new IdleCheck(generation), _settings.IdleTimeout);
        }
    }
}
