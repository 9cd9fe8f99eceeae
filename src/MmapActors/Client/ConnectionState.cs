namespace MmapActors.Client;

/// <summary>
/// Whether a remote client's connection to its server still stands. It is lost once, for good, when the server closes
/// the session, the association ends, or the server falls silent; from then every call of the client and of its
/// handles fails at once (and every call in flight fails now) with <see cref="ConnectionLostException"/>, turned into
/// an <see cref="MmapException"/> ECONNRESET that names the operation.
/// </summary>
internal sealed class ConnectionState
{
    private readonly TaskCompletionSource<ConnectionLostException> _lost = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastHeard = Environment.TickCount64;

    /// <summary>Why the connection was lost, or null while it stands.</summary>
    public ConnectionLostException? Lost => _lost.Task.IsCompleted ? _lost.Task.Result : null;

    /// <summary>Completes when the connection is lost.</summary>
    public Task<ConnectionLostException> WhenLost => _lost.Task;

    /// <summary>Milliseconds since the server was last heard from.</summary>
    public long SilentFor => Environment.TickCount64 - Interlocked.Read(ref _lastHeard);

    /// <summary>The server was heard from.</summary>
    public void Heard() => Interlocked.Exchange(ref _lastHeard, Environment.TickCount64);

    /// <summary>Marks the connection lost (the first reason wins).</summary>
    public void Lose(string reason) => _lost.TrySetResult(new ConnectionLostException(reason));

    /// <summary>Throws at once when the connection is lost, naming <paramref name="operation"/>.</summary>
    public void ThrowIfLost(string operation)
    {
        if (Lost is { } lost)
        {
            throw lost.For(operation);
        }
    }
}
