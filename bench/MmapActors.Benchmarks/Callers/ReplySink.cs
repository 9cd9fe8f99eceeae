using System.Threading.Tasks.Sources;
using Akka.Actor;

namespace MmapActors.Benchmarks.Callers;

/// <summary>
/// Diagnostic prototype of a cheaper Ask for local actors: an actor ref that completes a reusable
/// <see cref="IValueTaskSource{TResult}"/> when it is told the reply. One per caller (one call in flight at a time), so a
/// call allocates nothing for the reply path: no promise actor, no temp-path registration, no TaskCompletionSource, no
/// timer. Measured against <c>Ask</c> it prices what the client's request/reply plumbing costs.
/// </summary>
internal sealed class ReplySink(ActorSystem system) : MinimalActorRef, IValueTaskSource<object>
{
    // Continuations go to the thread pool, as Ask's do: the owner's thread must not run the caller's code.
    private ManualResetValueTaskSourceCore<object> _core = new() { RunContinuationsAsynchronously = true };

    /// <inheritdoc />
    public override ActorPath Path { get; } = ((ExtendedActorSystem)system).Provider.TempPath();

    /// <inheritdoc />
    public override IActorRefProvider Provider { get; } = ((ExtendedActorSystem)system).Provider;

    /// <summary>Sends <paramref name="message"/> to <paramref name="target"/> with this sink as the sender; completes with the reply.</summary>
    public ValueTask<object> AskAsync(IActorRef target, object message)
    {
        _core.Reset();
        // Created before the Tell: the reply may arrive before the caller awaits.
        var reply = new ValueTask<object>(this, _core.Version);
        target.Tell(message, this);
        return reply;
    }

    /// <inheritdoc />
    public object GetResult(short token) => _core.GetResult(token);

    /// <inheritdoc />
    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    /// <inheritdoc />
    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    /// <inheritdoc />
    protected override void TellInternal(object message, IActorRef sender) => _core.SetResult(message);
}
