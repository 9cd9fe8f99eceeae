using Akka.Actor;
using MmapActors.Actors;
using MmapActors.Client;
using MmapActors.Protocol;

namespace MmapActors;

/// <summary>
/// The entry point of the client API: opens <see cref="IMappedFile"/> handles through an MmapActors supervisor.
/// Handles opened through a client are released when it is disposed (or when its process or node dies).
/// </summary>
/// <example>
/// <code>
/// await using var client = MmapClient.Create(system);
/// await using var file = await client.OpenAsync("data.bin");
/// byte[] header = await file.ReadAtAsync(0, 64);
/// </code>
/// </example>
public sealed class MmapClient : IAsyncDisposable
{
    private readonly IActorRef _supervisor;
    private readonly IActorRef _session;
    private readonly TimeSpan _timeout;
    private readonly int _chunkSize;
    private readonly int _window;
    private readonly ActorSystem? _ownedSystem;
    private readonly ReplySinkPool _sinks;
    private readonly Task _systemTerminated;
    private readonly ConnectionState? _connection;
    private readonly DataPlaneTransfer? _dataPlane;
    private readonly bool _failover;
    private int _disposed;

    private MmapClient(ActorSystem system, IActorRef supervisor, TimeSpan timeout, ActorSystem? ownedSystem = null,
        IActorRef? session = null, ConnectionState? connection = null)
    {
        _supervisor = supervisor;
        _timeout = timeout;
        _ownedSystem = ownedSystem;
        _systemTerminated = system.WhenTerminated;
        var settings = MmapSettings.Create(system);
        _chunkSize = settings.TransferChunkSize;
        _window = settings.TransferWindow;
        System = system;
        _session = session ?? system.ActorOf(ClientSession.Props(), $"mmap-client-{Guid.NewGuid():N}");
        _sinks = new ReplySinkPool(system, timeout, connection);
        _connection = connection;
        // A lost connection fails every call in flight now, not at its timeout.
        connection?.WhenLost.ContinueWith(t => _sinks.FailAll(t.Result), CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        _dataPlane = DataPlaneTransfer.For(supervisor, timeout);
        // A client of any actor but its node's own supervisor (a cluster router, a supervisor on another node) holds handles
        // whose owners may move or die without the client: they re-open by themselves where that is safe.
        _failover = connection is null && !(supervisor.Path.Address.HasLocalScope && supervisor.Path.Elements is ["user", var name] &&
                                             name == settings.SupervisorName);
    }

    /// <summary>A client of the local MmapActors supervisor of <paramref name="system"/> (started if needed).</summary>
    public static MmapClient Create(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        var extension = MmapExtension.Get(system);
        return new MmapClient(system, extension.Supervisor, extension.Settings.AskTimeout);
    }

    /// <summary>A client of the supervisor <paramref name="supervisor"/>, local or on another node.</summary>
    public static MmapClient Create(ActorSystem system, IActorRef supervisor, TimeSpan? askTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(supervisor);
        var timeout = askTimeout ?? MmapSettings.Create(system).AskTimeout;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero, nameof(askTimeout));
        return new MmapClient(system, supervisor, timeout);
    }

    /// <summary>
    /// Opens a session with an MmapActors server through its door (MmapActors.Remote's <c>MmapRemote.ConnectAsync</c>):
    /// the client's requests then go to the session the server names, which answers for this client only.
    /// </summary>
    /// <param name="system">The client's ActorSystem, with remoting and MmapActors' serialization (config/client.hocon).</param>
    /// <param name="door">The server's door actor.</param>
    /// <param name="askTimeout">How long each call waits for its answer.</param>
    /// <param name="ownsSystem">Whether disposing the client terminates <paramref name="system"/>.</param>
    /// <param name="onConnected">Called with the connection and the server's address once the session is open, so the
    /// transport layer can report the association's end to it.</param>
    /// <param name="cancellationToken">Cancels the handshake.</param>
    internal static async Task<MmapClient> ConnectAsync(ActorSystem system, IActorRef door, TimeSpan askTimeout, bool ownsSystem,
        Action<ConnectionState, Address>? onConnected, CancellationToken cancellationToken)
    {
        var connection = new ConnectionState();
        var session = system.ActorOf(ClientSession.Props(connection), $"mmap-client-{Guid.NewGuid():N}");
        try
        {
            var reply = await door.Ask<object>(new Connect(session, Connect.Current), askTimeout, cancellationToken).ConfigureAwait(false);
            if (reply is not Connected connected)
            {
                throw reply is MmapError error ? error.ToException() : new InvalidOperationException($"Unexpected reply to Connect: {reply}");
            }
            session.Tell(new ClientSession.Watch(connected.CheckpointInterval));
            onConnected?.Invoke(connection, connected.Session.Path.Address);
            return new MmapClient(system, connected.Session, askTimeout, ownsSystem ? system : null, session, connection);
        }
        catch
        {
            system.Stop(session);
            throw;
        }
    }

    /// <summary>The ActorSystem the client sends from (its own one for a remote connection).</summary>
    public ActorSystem System { get; private init; } = null!;

    /// <summary>The supervisor this client talks to.</summary>
    public IActorRef Supervisor => _supervisor;

    /// <summary>The actor whose lifetime bounds this client's handles (what the supervisor watches).</summary>
    public IActorRef Session => _session;

    /// <summary>Opens a handle on a file, like Python's <c>mmap.mmap(fd, length, access=access, offset=offset)</c>.</summary>
    /// <exception cref="MmapException">As <see cref="MemoryMap.Open(string, long, MmapAccess, long)"/>.</exception>
    public Task<IMappedFile> OpenAsync(string path, long length = 0, MmapAccess access = MmapAccess.Default, long offset = 0,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return OpenAsync(new MapOptions(path, length, access, offset), cancellationToken);
    }

    /// <summary>Opens anonymous memory of <paramref name="length"/> bytes, owned by its own actor.</summary>
    public Task<IMappedFile> CreateAnonymousAsync(long length, MmapAccess access = MmapAccess.Default, CancellationToken cancellationToken = default) =>
        OpenAsync(MapOptions.Anonymous(length, access), cancellationToken);

    /// <summary>Opens a handle with every option of Python's constructor.</summary>
    public async Task<IMappedFile> OpenAsync(MapOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        object reply = await AskSupervisorAsync<object>(new OpenMap(options, _session), cancellationToken).ConfigureAwait(false);
        return reply switch
        {
            MapOpened opened when _failover => new FailoverMappedFile(System, opened, o => Handle(options, o), ReopenAsync, _timeout),
            MapOpened opened => Handle(options, opened),
            MmapError error => throw error.ToException(),
            _ => throw new InvalidOperationException($"Unexpected reply to OpenMap: {reply}"),
        };

        // Short attempts (the handle retries until its time-out): an open that went to a member just lost vanishes.
        // One answered after its attempt gave up is closed by the member it reaches (MmapActors.Cluster).
        async Task<MapOpened> ReopenAsync(CancellationToken token)
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            var attempt = TimeSpan.FromTicks(Math.Min(_timeout.Ticks, TimeSpan.FromSeconds(5).Ticks));
            object reply;
            try
            {
                reply = await _supervisor.Ask<object>(new OpenMap(options, _session), attempt, token).ConfigureAwait(false);
            }
            catch (AskTimeoutException e)
            {
                throw new MmapTimeoutException("The MmapActors router", nameof(OpenMap), attempt, e);
            }
            return reply switch
            {
                MapOpened opened => opened,
                MmapError error => throw error.ToException(),
                var other => throw new InvalidOperationException($"Unexpected reply to OpenMap: {other}"),
            };
        }
    }

    private MappedFile Handle(MapOptions options, MapOpened opened) =>
        new(opened, _timeout, _systemTerminated, _chunkSize, _window, _sinks, _connection, _dataPlane?.RouteFor(options, opened.Access));

    /// <summary>Creates a new file of <paramref name="length"/> zero bytes (see <see cref="CreateFile"/>).</summary>
    /// <exception cref="MmapException"><c>FileExistsError</c>, <c>PermissionError</c> on a read-only server, ValueError over the size limit.</exception>
    public async Task CreateFileAsync(string path, long length, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var reply = await AskSupervisorAsync<MapReply>(new CreateFile(path, length), cancellationToken).ConfigureAwait(false);
        if (reply is MmapError error)
        {
            throw error.ToException();
        }
    }

    /// <summary>Lists a directory beneath the server's served root (see <see cref="ListDirectory"/>).</summary>
    public async Task<IReadOnlyList<DirectoryEntry>> ListDirectoryAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        var reply = await AskSupervisorAsync<MapReply>(new ListDirectory(path), cancellationToken).ConfigureAwait(false);
        return reply is MmapError error ? throw error.ToException() : ((DirectoryListing)reply).Entries;
    }

    /// <summary>The size and kind of a path beneath the server's served root, without mapping it (see <see cref="StatFile"/>).</summary>
    /// <exception cref="MmapException">As an open of the path (FileNotFoundError, a refused path...).</exception>
    public async Task<FileStatus> StatAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var reply = await _supervisor.Ask<MapReply>(new StatFile(path), _timeout, cancellationToken).ConfigureAwait(false);
        return reply is MmapError error ? throw error.ToException() : (FileStatus)reply;
    }

    /// <summary>Renames the upload <paramref name="temporaryPath"/> over <paramref name="path"/> (see <see cref="CommitFile"/>),
    /// or removes it when <paramref name="discard"/> is set.</summary>
    /// <exception cref="MmapException">PermissionError on a read-only server; OSError EINVAL when
    /// <paramref name="temporaryPath"/> is not a name from <see cref="ServedRoot.TemporaryNameFor"/> next to <paramref name="path"/>.</exception>
    public async Task CommitFileAsync(string temporaryPath, string path, bool discard = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(temporaryPath);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var reply = await _supervisor.Ask<MapReply>(new CommitFile(temporaryPath, path, discard), _timeout, cancellationToken).ConfigureAwait(false);
        if (reply is MmapError error)
        {
            throw error.ToException();
        }
    }

    /// <summary>The supervisor's view: open files, handles per client, bytes mapped.</summary>
    /// <remarks>A remote server shows only this client's own handles, by paths relative to its root.</remarks>
    /// <exception cref="MmapTimeoutException">The supervisor did not answer in time.</exception>
    public Task<MmapStats> GetStatsAsync(CancellationToken cancellationToken = default) =>
        AskSupervisorAsync<MmapStats>(GetStats.Instance, cancellationToken);

    /// <summary>Asks the supervisor (or, remotely, the session): a time-out is an <see cref="MmapTimeoutException"/>, as
    /// for every other call, and a lost connection fails the call at once.</summary>
    private async Task<T> AskSupervisorAsync<T>(IMmapMessage message, CancellationToken cancellationToken)
    {
        string operation = message.GetType().Name;
        try
        {
            if (_connection is null)
            {
                return await _supervisor.Ask<T>(message, _timeout, cancellationToken).ConfigureAwait(false);
            }
            _connection.ThrowIfLost(operation);
            var ask = _supervisor.Ask<object>(message, _timeout, cancellationToken);
            if (await Task.WhenAny(ask, _connection.WhenLost).ConfigureAwait(false) != ask)
            {
                _ = ask.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted); // observed, not awaited
                throw _connection.WhenLost.Result.For(operation);
            }
            return await ask.ConfigureAwait(false) switch
            {
                T typed => typed,
                MmapError error => throw error.ToException(),
                var other => throw new InvalidOperationException($"Unexpected reply to {operation}: {other}"),
            };
        }
        catch (AskTimeoutException e)
        {
            throw new MmapTimeoutException("The MmapActors supervisor", operation, _timeout, e);
        }
    }

    /// <summary>Stops the client's session: the supervisor then releases every handle it opened.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            if (_connection is { Lost: null })
            {
                // Ends the server's session at once (its handles are released) instead of at the association's end.
                // If the server is gone or slow, the association's end releases the session all the same.
                var goodbye = _supervisor.Ask<object>(Disconnect.Instance, TimeSpan.FromTicks(Math.Min(_timeout.Ticks, TimeSpan.FromSeconds(5).Ticks)));
                await Task.WhenAny(goodbye, _connection.WhenLost).ConfigureAwait(false);
                _ = goodbye.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
            }
            try
            {
                await _session.GracefulStop(_timeout).ConfigureAwait(false);
            }
            catch (TaskCanceledException)
            {
                // the system is already shutting down; its termination stops the session
            }
            _sinks.Dispose();
            _dataPlane?.Dispose();
            if (_ownedSystem is not null)
            {
                await _ownedSystem.Terminate().ConfigureAwait(false);
            }
        }
    }
}
