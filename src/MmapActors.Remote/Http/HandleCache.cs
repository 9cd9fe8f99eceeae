using System.Collections.Concurrent;

namespace MmapActors.Remote.Http;

/// <summary>
/// One open handle per served path for the data plane, shared by every HTTP request on that path, so a request costs
/// one owner turn per chunk and no open. A handle is closed once no request has used it for the idle timeout (its
/// owner may then go idle and close the file); a request never sees its handle closed under it.
/// </summary>
internal sealed class HandleCache : IAsyncDisposable
{
    private readonly MmapClient _client;
    private readonly MmapAccess _access;
    private readonly TimeSpan _idle;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sweeper;

    public HandleCache(MmapClient client, bool readOnly, TimeSpan idle)
    {
        _client = client;
        _access = readOnly ? MmapAccess.Read : MmapAccess.Write;
        _idle = idle;
        _sweeper = SweepAsync();
    }

    /// <summary>The handle on <paramref name="path"/>, opened if needed; release the lease when done.</summary>
    /// <exception cref="MmapException">The open failed (missing file, empty file, sandbox...).</exception>
    public async ValueTask<Lease> AcquireAsync(string path, CancellationToken cancellationToken)
    {
        while (true)
        {
            var entry = _entries.GetOrAdd(path, static (p, self) => new Entry(self._client.OpenAsync(p, access: self._access)), this);
            if (!entry.TryEnter())
            {
                _entries.TryRemove(new KeyValuePair<string, Entry>(path, entry));
                continue;
            }
            try
            {
                var file = await entry.Opening.WaitAsync(cancellationToken).ConfigureAwait(false);
                return new Lease(this, path, entry, file);
            }
            catch
            {
                entry.Exit();
                if (entry.Opening.IsFaulted)
                {
                    Retire(path, entry);
                }
                throw;
            }
        }
    }

    /// <summary>Closes the handle of a lease whose map no longer matches the file (it grew elsewhere) and gives a new one.</summary>
    public async ValueTask<Lease> RenewAsync(Lease lease, CancellationToken cancellationToken)
    {
        Retire(lease.Path, lease.Entry);
        lease.Dispose();
        return await AcquireAsync(lease.Path, cancellationToken).ConfigureAwait(false);
    }

    private void Retire(string path, Entry entry)
    {
        _entries.TryRemove(new KeyValuePair<string, Entry>(path, entry));
        if (entry.Retire())
        {
            _ = CloseAsync(entry);
        }
    }

    private static async Task CloseAsync(Entry entry)
    {
        try
        {
            await (await entry.Opening.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // a failed open has nothing to close; a close of a handle whose owner is gone is done already
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
                    if (entry.IdleSince(now) >= _idle.TotalMilliseconds)
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

    /// <summary>A request's use of a cached handle.</summary>
    public readonly struct Lease(HandleCache cache, string path, Entry entry, IMappedFile file) : IDisposable
    {
        public IMappedFile File { get; } = file;

        internal string Path { get; } = path;

        internal Entry Entry { get; } = entry;

        internal HandleCache Cache { get; } = cache;

        public void Dispose()
        {
            if (Entry.Exit())
            {
                _ = CloseAsync(Entry);
            }
        }
    }

    /// <summary>A cached handle: the open in progress or done, the requests using it, and whether it is retired.</summary>
    internal sealed class Entry(Task<IMappedFile> opening)
    {
        private readonly Lock _gate = new();
        private int _users;
        private bool _retired;
        private long _lastUsed = Environment.TickCount64;

        public Task<IMappedFile> Opening { get; } = opening;

        public bool TryEnter()
        {
            lock (_gate)
            {
                if (_retired)
                {
                    return false;
                }
                _users++;
                return true;
            }
        }

        /// <summary>Ends a use; true when the entry is retired and this was its last user (the caller closes it).</summary>
        public bool Exit()
        {
            lock (_gate)
            {
                _users--;
                _lastUsed = Environment.TickCount64;
                return _retired && _users == 0;
            }
        }

        /// <summary>Retires the entry; true when nobody uses it (the caller closes it now), else its last user does.</summary>
        public bool Retire()
        {
            lock (_gate)
            {
                if (_retired)
                {
                    return false;
                }
                _retired = true;
                return _users == 0;
            }
        }

        /// <summary>Milliseconds since its last use, or 0 while in use.</summary>
        public long IdleSince(long now)
        {
            lock (_gate)
            {
                return _users > 0 ? 0 : now - _lastUsed;
            }
        }
    }
}
