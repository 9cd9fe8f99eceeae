using Akka.Actor;
using MmapActors.Protocol;

namespace MmapActors.Client;

/// <summary>
/// The actor whose lifetime bounds the handles an <see cref="MmapClient"/> opens: a local supervisor watches it, so when
/// the client is disposed, or its process dies, the handles are released. For a remote client it is also the client's
/// end of the session: it answers the server's <see cref="Checkpoint"/>s (proving that replies are read), and declares
/// the connection lost when the server closes the session or stays silent for three checkpoint intervals.
/// </summary>
internal sealed class ClientSession : UntypedActor, IWithTimers
{
    private readonly ConnectionState? _connection;
    private TimeSpan _silenceLimit;

    public ClientSession(ConnectionState? connection) => _connection = connection;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>A session of a local client.</summary>
    public static Props Props() => Akka.Actor.Props.Create(() => new ClientSession(null));

    /// <summary>A session of a remote client, reporting to <paramref name="connection"/>.</summary>
    public static Props Props(ConnectionState connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return Akka.Actor.Props.Create(() => new ClientSession(connection));
    }

    /// <summary>Starts watching for the server's silence, once the session is open.</summary>
    internal sealed record Watch(TimeSpan CheckpointInterval);

    private sealed record SilenceCheck
    {
        public static SilenceCheck Instance { get; } = new();
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Checkpoint checkpoint when _connection is not null:
                _connection.Heard();
                Sender.Tell(new CheckpointAck(checkpoint.Sequence));
                break;
            case SessionClosed closed when _connection is not null:
                _connection.Lose($"the server closed the session: {closed.Reason}");
                break;
            case Watch watch when _connection is not null:
                // Three missed checkpoints, and never less than 5 s: long enough not to mistake a busy moment (a
                // loaded machine, a long collection) for a dead server, short enough that a caller learns in seconds
                // rather than at its ask timeout. Every reply counts as hearing from the server too.
                _silenceLimit = TimeSpan.FromTicks(Math.Max(watch.CheckpointInterval.Ticks * 3, TimeSpan.FromSeconds(5).Ticks));
                _connection.Heard();
                Timers.StartPeriodicTimer("silence", SilenceCheck.Instance, watch.CheckpointInterval);
                break;
            case SilenceCheck when _connection is not null:
                if (_connection.SilentFor > _silenceLimit.TotalMilliseconds)
                {
                    _connection.Lose($"the server sent nothing for {_connection.SilentFor / 1000.0:0.#} s");
                    Timers.CancelAll();
                }
                break;
            default:
                Unhandled(message);
                break;
        }
    }
}
