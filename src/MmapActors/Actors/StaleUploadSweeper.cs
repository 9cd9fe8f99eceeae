namespace MmapActors.Actors;

/// <summary>
/// When a served node sweeps abandoned uploads (<see cref="ServedRoot.SweepStaleUploads"/>,
/// <c>mmap.limits.stale-upload-age</c>): the served root once at start, and each directory once, the first time this
/// process creates a temporary upload in it. Cheap by construction: never a walk of the tree, at most one bounded sweep
/// per directory per process (a killed server's leftovers do not come back while this one runs: its own failed uploads
/// remove their files).
/// </summary>
/// <remarks>Not thread-safe: the supervisor, its only user, runs one message at a time.</remarks>
internal sealed class StaleUploadSweeper
{
    /// <summary>Directories remembered as swept; past this the memory is dropped, so a peer that creates uploads in
    /// endless directories cannot grow the set (the cost is at most one more sweep of a directory already swept).</summary>
    internal const int MaxRememberedDirectories = 10_000;

    private readonly ServedRoot _root;
    private readonly int _maxRemembered;
    private readonly HashSet<string> _swept = new(StringComparer.Ordinal);

    /// <summary>A sweeper of <paramref name="root"/> for uploads older than <paramref name="age"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="age"/> is negative.</exception>
    public StaleUploadSweeper(ServedRoot root, TimeSpan age)
        : this(root, age, MaxRememberedDirectories)
    {
    }

    /// <summary>As the public constructor, with a smaller memory (tests).</summary>
    internal StaleUploadSweeper(ServedRoot root, TimeSpan age, int maxRememberedDirectories)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentOutOfRangeException.ThrowIfLessThan(age, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRememberedDirectories, 1);
        _root = root;
        Age = age;
        _maxRemembered = maxRememberedDirectories;
    }

    /// <summary>The age past which a temporary upload is abandoned; zero: sweeping is off.</summary>
    public TimeSpan Age { get; }

    /// <summary>Whether sweeping does anything at all (a positive age on a writable root).</summary>
    public bool Enabled => Age > TimeSpan.Zero && !_root.ReadOnly;

    /// <summary>How many directories are remembered as swept (for tests).</summary>
    internal int RememberedDirectories => _swept.Count;

    /// <summary>Sweeps the served root, unless it was already swept.</summary>
    /// <returns>What was removed, <see langword="null"/> when no sweep ran.</returns>
    /// <exception cref="MmapException">The root's directory could not be read (as <see cref="ServedRoot.SweepStaleUploads"/>).</exception>
    public StaleUploadSweep? SweepRoot() => SweepOnce("");

    /// <summary>Before <paramref name="path"/> is created: when it is a temporary upload's name
    /// (<see cref="ServedRoot.IsTemporaryName"/>) in a directory not swept yet, sweeps that directory.</summary>
    /// <param name="path">The untrusted relative path about to be created.</param>
    /// <returns>What was removed, <see langword="null"/> when no sweep ran.</returns>
    /// <exception cref="MmapException">The directory could not be resolved beneath the root (the create that follows
    /// fails the same way); it is not remembered as swept.</exception>
    public StaleUploadSweep? BeforeCreate(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        int slash = path.LastIndexOf('/');
        if (!ServedRoot.IsTemporaryName(path[(slash + 1)..]))
        {
            return null;
        }
        return SweepOnce(slash < 0 ? "" : path[..slash]);
    }

    private StaleUploadSweep? SweepOnce(string directory)
    {
        if (!Enabled)
        {
            return null;
        }
        // "a//b/./" and "a/b" are one directory; ".." is kept (only the kernel may resolve it, through symlinks), so a
        // peer can make a directory be swept again under another spelling, at the price of a create each time.
        string key = string.Join('/', directory.Split('/').Where(part => part is not ("" or ".")));
        if (_swept.Count >= _maxRemembered && !_swept.Contains(key))
        {
            _swept.Clear();
        }
        if (!_swept.Add(key))
        {
            return null;
        }
        try
        {
            return _root.SweepStaleUploads(key, Age);
        }
        catch
        {
            _swept.Remove(key); // a directory that could not be swept (missing yet, say) is tried again next time
            throw;
        }
    }
}
