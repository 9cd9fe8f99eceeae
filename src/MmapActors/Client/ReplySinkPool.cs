using System.Collections.Concurrent;
using Akka.Actor;

namespace MmapActors.Client;

/// <summary>
/// The <see cref="ReplySink"/>s of one <see cref="MmapClient"/>: reused across calls (a call allocates no reply
/// machinery), with one timer for every deadline instead of one per call.
/// </summary>
internal sealed class ReplySinkPool : IDisposable
{
    private readonly IActorRefProvider _provider;
    private readonly ConcurrentQueue<ReplySink> _free = new();
    private readonly ConcurrentDictionary<ReplySink, byte> _all = new();
    private readonly Timer _sweeper;

    private readonly ConnectionState? _connection;

    public ReplySinkPool(ActorSystem system, TimeSpan timeout, ConnectionState? connection = null)
    {
        _connection = connection;
        _provider = ((ExtendedActorSystem)system).Provider;
        Timeout = timeout;
        // A deadline is enforced within a tenth of the timeout (at most a second) of passing.
        var period = TimeSpan.FromMilliseconds(Math.Clamp(timeout.TotalMilliseconds / 10, 10, 1000));
        _sweeper = new Timer(_ => Sweep(), null, period, period);
    }

    public TimeSpan Timeout { get; }

    public ReplySink Rent()
    {
        if (_free.TryDequeue(out var sink))
        {
            return sink;
        }
        var path = _provider.TempPath();
        sink = new ReplySink(path, _provider, _connection);
        // Registered like Ask's promise actors, so that replies from owners on other nodes find it by its path.
        _provider.RegisterTempActor(sink, path);
        _all.TryAdd(sink, 0);
        return sink;
    }

    /// <summary>Returns a sink whose call completed with a reply.</summary>
    public void Return(ReplySink sink) => _free.Enqueue(sink);

    /// <summary>Forgets a sink whose call timed out or was cancelled: its reply may still come.</summary>
    public void Drop(ReplySink sink)
    {
        _all.TryRemove(sink, out _);
        _provider.UnregisterTempActor(sink.Path);
    }

    /// <summary>Fails every call in flight with <paramref name="error"/> (the connection is lost).</summary>
    public void FailAll(Exception error)
    {
        foreach (var sink in _all.Keys)
        {
            if (sink.Deadline != 0)
            {
                sink.TryFail(sink.Version, error);
            }
        }
    }

    public void Dispose()
    {
        _sweeper.Dispose();
        foreach (var sink in _all.Keys)
        {
            _provider.UnregisterTempActor(sink.Path);
        }
    }

    private void Sweep()
    {
        long now = Environment.TickCount64;
        foreach (var sink in _all.Keys)
        {
            short version = sink.Version;
            long deadline = sink.Deadline;
            if (deadline != 0 && now > deadline)
            {
                sink.TryFail(version, new TimeoutException());
            }
        }
    }
}
