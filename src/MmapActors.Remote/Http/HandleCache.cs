using System.Collections.Concurrent;
using MmapActors.Native;

namespace MmapActors.Remote.Http;

/// <summary>
/// What the data plane keeps open per served path, as nginx's <c>open_file_cache</c> does: a read-only descriptor
/// opened through the <see cref="ServedRoot"/> sandbox (so a request costs one fstat, not a path resolution), and a
/// handle on the file's owner, opened on first use and shared by every request on that path (so a request costs one
/// owner turn per chunk, not an open).
/// </summary>
/// <remarks>
/// Every request reads the size, modification time and link count afresh (fstat of the cached descriptor), so writes
/// and resizes are seen at once, and a deleted file is looked up again at once. The path itself is resolved again at
/// most every <c>revalidate</c> interval (1 s): a file replaced by a rename under the same name is served within that
/// time (a whole-file PUT drops the path's entry itself: <see cref="Invalidate"/>). A handle found to map less than the file
/// holds (it grew outside this server) retires its entry (<see cref="Lease.RenewFileAsync"/>), so one request pays for the
/// growth and the stale handle closes with the entry's last user. An entry unused for the idle timeout is closed; a request never sees its descriptor or handle closed under it
/// (entries count their users and close when the last one leaves).
/// </remarks>
internal sealed class HandleCache : IAsyncDisposable
{
    private readonly ServedRoot _root;
    private readonly MmapClient _client;
    private readonly MmapAccess _access;
    private readonly TimeSpan _idle;
    private readonly long _revalidateMs;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sweeper;

    public HandleCache(ServedRoot root, MmapClient client, TimeSpan idle, TimeSpan revalidate)
    {
        _root = root;
        _client = client;
        _access = root.ReadOnly ? MmapAccess.Read : MmapAccess.Write;
        _idle = idle;
        _revalidateMs = (long)revalidate.TotalMilliseconds;
        _sweeper = SweepAsync();
    }

    /// <summary>The entry of <paramref name="path"/> with the file's current identity; dispose the lease when done.</summary>
    /// <exception cref="MmapException">The sandbox refused the path, or it is missing (as <see cref="ServedRoot.OpenFile"/>).</exception>
    public Lease Acquire(string path) => new(this, path, Enter(path, out var identity), identity);

    /// <summary>Enters the current entry of <paramref name="path"/> (resolving the path again when due), with the file's
    /// identity read now.</summary>
    private Entry Enter(string path, out FileIdentity identity)
    {
        for (int attempt = 0; ; attempt++)
        {
            long now = Environment.TickCount64;
            if (!_entries.TryGetValue(path, out var entry) || now >= entry.ValidUntil || attempt > 0)
            {
                entry = Refresh(path, entry, now);
            }
            if (!entry.TryEnter())
            {
                continue;
            }
            int errno = LibC.Identify(entry.File.Descriptor, out identity);
            if (errno == 0 && (identity.Links > 0 || attempt > 0))
            {
                return entry;
            }
            Release(entry);
            if (errno != 0)
            {
                throw MmapException.FromErrno(errno, ServedRoot.Quote(path));
            }
            Retire(path, entry); // deleted since it was opened: look the path up again
        }
    }

    /// <summary>Forgets the entry of <paramref name="path"/> (a new file was renamed over it): the next request resolves
    /// the path again instead of serving the old file until the revalidation. Requests running keep their entry, which
    /// closes when the last of them leaves.</summary>
    public void Invalidate(string path)
    {
        if (_entries.TryGetValue(path, out var entry))
        {
            Retire(path, entry);
        }
    }

    /// <summary>Resolves the path again; keeps the entry when it is still the same file.</summary>
    private Entry Refresh(string path, Entry? current, long now)
    {
        var file = _root.OpenFile(path, writable: false);
        int errno = LibC.Identify(file.Descriptor, out var identity);
        if (errno != 0)
        {
            file.Dispose();
            throw MmapException.FromErrno(errno, ServedRoot.Quote(path));
        }
        if (current is not null && current.Identity.Device == identity.Device && current.Identity.Inode == identity.Inode && !current.IsRetired)
        {
            file.Dispose();
            current.ValidUntil = now + _revalidateMs;
            return current;
        }
        var fresh = new Entry(file, identity, now + _revalidateMs);
        var stored = _entries.AddOrUpdate(path, fresh, (_, old) => old == current || old.IsRetired ? fresh : old);
        if (stored != fresh)
        {
            fresh.Retire();
            fresh.Close();
            return stored;
        }
        if (current is not null && current != fresh)
        {
            RetireEntry(current);
        }
        return fresh;
    }

    /// <summary>Opens a handle on the owner of <paramref name="path"/>, with the access the served root allows.</summary>
    private Task<IMappedFile> Open(string path) => _client.OpenAsync(path, access: _access);

    private void Retire(string path, Entry entry)
    {
        _entries.TryRemove(new KeyValuePair<string, Entry>(path, entry));
        RetireEntry(entry);
    }

    private static void RetireEntry(Entry entry)
    {
        if (entry.Retire())
        {
            entry.Close();
        }
    }

    private static void Release(Entry entry)
    {
        if (entry.Exit())
        {
            entry.Close();
        }
    }

    private async Task SweepAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromTicks(Math.Max(_idle.Ticks / 2, TimeSpan.TicksPerMillisecond * 50)));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                long now = Environment.TickCount64;
                foreach (var (path, entry) in _entries)
                {
                    if (entry.IdleFor(now) >= _idle.TotalMilliseconds)
                    {
                        Retire(path, entry);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _sweeper.ConfigureAwait(false);
        foreach (var (path, entry) in _entries)
        {
            Retire(path, entry);
        }
        _stop.Dispose();
    }

    /// <summary>A request's use of an entry: the file's identity as of the request, and its owner handle.</summary>
    public sealed class Lease(HandleCache cache, string path, Entry entry, FileIdentity identity) : IDisposable
    {
        private Entry _entry = entry;
        private int _disposed;

        /// <summary>Size, modification time and inode, read for this request.</summary>
        public FileIdentity Identity { get; } = identity;

        /// <summary>The validators of <see cref="Identity"/>, made once per version of the file and shared by its requests.</summary>
        public FileValidators Validators(Func<FileIdentity, FileValidators> make) => _entry.ValidatorsOf(Identity, make);

        /// <summary>The handle on the file's owner (opened on first use).</summary>
        public Task<IMappedFile> GetFileAsync() => _entry.Handle(cache, path);

        /// <summary>
        /// A handle that maps the file as it is now, for a request whose handle maps less than the file holds (it grew
        /// outside this server). The entry is retired, so the renewal sticks: every later request gets a new entry, whose
        /// handle maps the current file, and none renews again for the same growth. The retired entry closes, stale handle
        /// included, when the last request still using it leaves, however busy the path is.
        /// </summary>
        /// <exception cref="MmapException">The path no longer resolves (deleted meanwhile).</exception>
        public Task<IMappedFile> RenewFileAsync()
        {
            var stale = _entry;
            cache.Retire(path, stale);
            _entry = cache.Enter(path, out _);
            Release(stale);
            return _entry.Handle(cache, path);
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Release(_entry);
            }
        }
    }

    /// <summary>A cached path: its descriptor, its handles (the current one last), its users, whether it is retired.</summary>
    /// <remarks>Every request enters and leaves its entry, so those two are a compare-and-swap on one word (users in the
    /// low bits, the retired flag on top) rather than a lock; the handles, which change rarely, keep a lock.</remarks>
    internal sealed class Entry(ServedFile file, FileIdentity identity, long validUntil)
    {
        private const int RetiredFlag = 1 << 30;

        private readonly Lock _gate = new();
        // One handle per entry: a failed open is replaced by the next request's, and kept nowhere (it has nothing to close),
        // so a path whose opens keep failing under a stream of requests holds one task, not one per request.
        private Task<IMappedFile>? _handle;
        private int _state; // users | RetiredFlag
        private long _lastUsed = Environment.TickCount64;
        private FileValidators? _validators;

        public ServedFile File { get; } = file;

        public FileValidators ValidatorsOf(FileIdentity identity, Func<FileIdentity, FileValidators> make)
        {
            var cached = Volatile.Read(ref _validators);
            if (cached is null || cached.Identity != identity)
            {
                cached = make(identity);
                Volatile.Write(ref _validators, cached);
            }
            return cached;
        }

        public FileIdentity Identity { get; } = identity;

        public long ValidUntil
        {
            get => Volatile.Read(ref validUntil);
            set => Volatile.Write(ref validUntil, value);
        }

        public bool IsRetired => (Volatile.Read(ref _state) & RetiredFlag) != 0;

        /// <summary>The current handle, opened through <paramref name="cache"/> when there is none (or it failed). Takes the
        /// cache and path rather than an opening delegate: every request asks, and a delegate would be an allocation each.</summary>
        public Task<IMappedFile> Handle(HandleCache cache, string path)
        {
            var current = Volatile.Read(ref _handle);
            if (current is { IsCompletedSuccessfully: true })
            {
                return current;
            }
            lock (_gate)
            {
                if (_handle is null || _handle.IsFaulted || _handle.IsCanceled)
                {
                    Volatile.Write(ref _handle, cache.Open(path));
                }
                return _handle;
            }
        }

        public bool TryEnter()
        {
            while (true)
            {
                int state = Volatile.Read(ref _state);
                if ((state & RetiredFlag) != 0)
                {
                    return false;
                }
                if (Interlocked.CompareExchange(ref _state, state + 1, state) == state)
                {
                    return true;
                }
            }
        }

        /// <summary>Ends a use; true when the entry is retired and this was its last user (the caller closes it).</summary>
        public bool Exit()
        {
            // The time first: the sweeper must never see no users with the time of an earlier use.
            Volatile.Write(ref _lastUsed, Environment.TickCount64);
            return Interlocked.Decrement(ref _state) == RetiredFlag;
        }

        /// <summary>Retires the entry; true when nobody uses it (the caller closes it now), else its last user does.</summary>
        public bool Retire()
        {
            while (true)
            {
                int state = Volatile.Read(ref _state);
                if ((state & RetiredFlag) != 0)
                {
                    return false;
                }
                if (Interlocked.CompareExchange(ref _state, state | RetiredFlag, state) == state)
                {
                    return state == 0;
                }
            }
        }

        /// <summary>Milliseconds since its last use, or 0 while in use.</summary>
        public long IdleFor(long now) => (Volatile.Read(ref _state) & ~RetiredFlag) > 0 ? 0 : now - Volatile.Read(ref _lastUsed);

        /// <summary>Closes the descriptor and the handle (once nobody uses them).</summary>
        public void Close()
        {
            File.Dispose();
            Task<IMappedFile>? handle;
            lock (_gate)
            {
                handle = _handle;
                _handle = null;
            }
            if (handle is not null)
            {
                _ = CloseAsync(handle);
            }
        }

        private static async Task CloseAsync(Task<IMappedFile> handle)
        {
            try
            {
                await (await handle.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // a failed open has nothing to close; a handle whose owner is gone is closed already
            }
        }
    }
}
