using System.Threading.Tasks.Sources;
using Akka.Actor;

namespace MmapActors.Client;

/// <summary>
/// The sender of one request at a time to a <em>local</em> owner: an actor ref that completes a reusable awaitable when
/// the owner replies. It replaces Akka's Ask on the hot path, which costs a promise actor, a temp-path registration, a
/// TaskCompletionSource and a timer per call (about half of a 4 KiB read, measured in docs/benchmarks.md). Sinks are
/// pooled by <see cref="ReplySinkPool"/>; the pool's one timer enforces the deadlines.
/// </summary>
/// <remarks>
/// A call is armed with a version; the reply and a timeout/cancellation race to complete that version, and only the
/// first wins (a compare-and-swap on <see cref="_state"/>), so a late reply can never complete a later call. A sink whose
/// call timed out or was cancelled is dropped, never reused, because its reply may still arrive.
/// </remarks>
internal sealed class ReplySink : MinimalActorRef, IValueTaskSource<object>
{
    private ManualResetValueTaskSourceCore<object> _core = new() { RunContinuationsAsynchronously = true };
    private long _state = 1; // (version << 1) while armed, | 1 once completed
    private long _deadline;

    private readonly ConnectionState? _connection;

    public ReplySink(ActorPath path, IActorRefProvider provider, ConnectionState? connection = null)
    {
        Path = path;
        Provider = provider;
        _connection = connection;
    }

    /// <inheritdoc />
    public override ActorPath Path { get; }

    /// <inheritdoc />
    public override IActorRefProvider Provider { get; }

    /// <summary>The deadline of the call in flight (<see cref="Environment.TickCount64"/>), or 0.</summary>
    public long Deadline => Volatile.Read(ref _deadline);

    /// <summary>The version of the call in flight.</summary>
    public short Version => _core.Version;

    /// <summary>Sends <paramref name="message"/> to <paramref name="target"/> with this sink as the sender.</summary>
    public ValueTask<object> SendAsync(IActorRef target, object message, long deadline)
    {
        _core.Reset();
        short version = _core.Version;
        Volatile.Write(ref _deadline, deadline);
        Volatile.Write(ref _state, Armed(version));
        // Created before the Tell: the reply may arrive before the caller awaits.
        var reply = new ValueTask<object>(this, version);
        target.Tell(message, this);
        return reply;
    }

    /// <summary>Fails the call of <paramref name="version"/> unless it has already completed.</summary>
    public bool TryFail(short version, Exception error)
    {
        long armed = Armed(version);
        if (Interlocked.CompareExchange(ref _state, armed | 1, armed) != armed)
        {
            return false;
        }
        Volatile.Write(ref _deadline, 0);
        _core.SetException(error);
        return true;
    }

    /// <inheritdoc />
    protected override void TellInternal(object message, IActorRef sender)
    {
        _connection?.Heard(); // a reply from a remote server is a sign of life, as its checkpoints are
        long state = Volatile.Read(ref _state);
        if ((state & 1) == 0 && Interlocked.CompareExchange(ref _state, state | 1, state) == state)
        {
            Volatile.Write(ref _deadline, 0);
            _core.SetResult(message);
        }
    }

    /// <inheritdoc />
    public object GetResult(short token) => _core.GetResult(token);

    /// <inheritdoc />
    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    /// <inheritdoc />
    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private static long Armed(short version) => (long)(ushort)version << 1;
}
