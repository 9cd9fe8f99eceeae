using MmapActors.Protocol;

namespace MmapActors.Remote.Server;

/// <summary>
/// The unfinished uploads of one session: the temporary names (<see cref="ServedRoot.TemporaryNameFor"/>) it created and
/// has not yet committed or discarded. A temporary name belongs to the session that created it, and to nobody else: a
/// request of another session that names one (to stat, open, write, fetch a data-plane ticket for, commit, discard or
/// commit over it) is refused as if the file did not exist, and listings leave such names out. That covers every
/// temporary file a session did not make: another session's, an HTTP upload's (made by the server itself), and the
/// leftovers of a killed server (which only the stale-upload sweep removes).
/// </summary>
/// <remarks>
/// <para>The session is the one place that knows who asks, for a single server and for a cluster node's client door alike
/// (both serve peers through <see cref="PeerSession"/>): the supervisor sees in-process callers (the data plane) under
/// a fresh sender per request, and a cluster door's requests reach the cluster's router, not a supervisor.</para>
/// <para>A claim is exact: the owner names its upload as it created it (<c>./.a.….part</c> is not <c>.a.….part</c>), so
/// no spelling of another path reaches someone else's upload. A name is claimed once its <see cref="CreateFile"/>
/// succeeded, released once its commit or discard succeeded, and the session discards what is left when it ends.</para>
/// </remarks>
internal sealed class SessionUploads
{
    private readonly HashSet<string> _paths = new(StringComparer.Ordinal);
    private readonly HashSet<string> _creating = new(StringComparer.Ordinal); // creates sent, not yet answered

    /// <param name="capacity">Most unfinished uploads at once (a session's <c>max-handles-per-session</c>: each is
    /// written through a handle, and the set must not grow without bound with empty creates).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is not positive.</exception>
    public SessionUploads(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
    }

    /// <summary>Most unfinished uploads at once.</summary>
    public int Capacity { get; }

    /// <summary>The session's unfinished uploads, as it named them.</summary>
    public IReadOnlyCollection<string> Unfinished => _paths;

    /// <summary>
    /// The path of <paramref name="request"/> that the session may not name, or <see langword="null"/> when it may send
    /// the request: a temporary name that is not one of its unfinished uploads, or (for a data-plane ticket) any temporary
    /// name, since the data plane serves none. A <see cref="CreateFile"/> of a new temporary name is allowed (it is how an
    /// upload starts); one that already exists fails in the served root (EEXIST).
    /// </summary>
    public string? Forbidden(IMmapMessage request) => request switch
    {
        OpenMap { Options.Path: var path } when !MayUse(path) => path,
        StatFile { Path: var path } when !MayUse(path) => path,
        ListDirectory { Path: var path } when !MayUse(path) => path,
        CommitFile { TemporaryPath: var temporary } when !MayUse(temporary) => temporary,
        CommitFile { Path: var path } when !MayUse(path) => path,
        OpenDataPlane { Path: var path } when ServedRoot.IsTemporaryPath(path) => path,
        _ => null,
    };

    /// <summary>
    /// Whether <paramref name="request"/> names a temporary path whose <see cref="CreateFile"/> this session sent and
    /// has not had answered: it must wait for that answer (then <see cref="Forbidden"/> decides), since the name is not
    /// the session's until the create succeeded, yet refusing would lose a request that follows its own create, such as
    /// the discard a client sends when it is interrupted while the create is in flight.
    /// </summary>
    public bool WaitsForCreate(IMmapMessage request) => _creating.Count > 0 && request switch
    {
        OpenMap { Options.Path: var path } => Creating(path),
        StatFile { Path: var path } => Creating(path),
        CommitFile commit => Creating(commit.TemporaryPath) || Creating(commit.Path),
        _ => false,
    };

    /// <summary>Records a create of <paramref name="path"/> sent to the server (temporary names only).</summary>
    public void CreateSent(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (ServedRoot.IsTemporaryPath(path))
        {
            _creating.Add(path);
        }
    }

    /// <summary>The create of <paramref name="path"/> was answered: the name is the session's if it
    /// <paramref name="succeeded"/>.</summary>
    public void CreateAnswered(string path, bool succeeded)
    {
        ArgumentNullException.ThrowIfNull(path);
        _creating.Remove(path);
        if (succeeded)
        {
            Claim(path);
        }
    }

    private bool Creating(string? path) => path is not null && _creating.Contains(path);

    /// <summary>Whether a new upload would exceed <see cref="Capacity"/>: <paramref name="request"/> creates a
    /// temporary name and the session has as many unfinished uploads as it may.</summary>
    public bool IsFull(IMmapMessage request) =>
        request is CreateFile create && ServedRoot.IsTemporaryPath(create.Path) && _paths.Count >= Capacity;

    /// <summary>Whether the session may name <paramref name="path"/>: any path but a temporary name that is not its own.</summary>
    public bool MayUse(string? path) => !ServedRoot.IsTemporaryPath(path) || _paths.Contains(path!);

    /// <summary>Records an upload the session created (its <see cref="CreateFile"/> succeeded); other paths are ignored.</summary>
    public void Claim(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (ServedRoot.IsTemporaryPath(path))
        {
            _paths.Add(path);
        }
    }

    /// <summary>Forgets an upload that was committed or discarded.</summary>
    public void Release(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        _paths.Remove(path);
    }

    /// <summary>A listing without the temporary names that are not the session's uploads (its own it sees, with
    /// <c>-a</c>). Names are matched without their directory: each carries 64 random bits.</summary>
    public DirectoryListing Hide(DirectoryListing listing)
    {
        ArgumentNullException.ThrowIfNull(listing);
        if (!listing.Entries.Any(e => ServedRoot.IsTemporaryName(e.Name)))
        {
            return listing; // the common case: nothing to look up
        }
        // The session's own names, made only for a listing that holds temporary names (at most Capacity of them).
        var own = _paths.Select(p => p[(p.LastIndexOf('/') + 1)..]).ToHashSet(StringComparer.Ordinal);
        return new DirectoryListing(listing.Entries.Where(e => !ServedRoot.IsTemporaryName(e.Name) || own.Contains(e.Name)).ToArray());
    }
}
