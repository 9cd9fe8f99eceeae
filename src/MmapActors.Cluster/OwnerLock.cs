using MmapActors.Native;
using MmapActors.Protocol;

namespace MmapActors.Cluster;

/// <summary>
/// The fence of one file's cluster owner: an exclusive open-file-description lock (<c>fcntl(F_OFD_SETLK, F_WRLCK)</c>)
/// on one byte of the file, at <see cref="Offset"/>, held on a descriptor of its own from before the owner maps the file
/// until after its maps are flushed and closed. A member that cannot take it does not serve the file.
/// </summary>
/// <remarks>
/// <para>Why an OFD lock: it belongs to the open file description, so it is released when this descriptor is closed or
/// the process dies (SIGKILL included), and by nothing else. A classic POSIX lock (<c>F_SETLK</c>) belongs to the
/// process: it would be dropped whenever the owner closes any other descriptor of the file (every map's open does), and
/// two members in one process would share it. <c>flock</c> is per description too, but on NFS it is emulated with a
/// whole-file POSIX lock and collides with users' locks.</para>
/// <para>Why one byte at 2^62 of the file itself rather than a lock file beside it: it needs no extra name in the shared
/// directory (nothing for users to list, open or delete, no directory to create or clean up) and follows the file's
/// identity. No file reaches 2^62 bytes, so users' own fcntl locks of byte ranges in their files never meet it; a user's
/// lock of the whole file (<c>l_len = 0</c>, which runs to infinity) does, and so does <c>flock</c> on NFS: such a lock
/// held on a served file keeps the cluster from owning it while it is held (opens fail with
/// <see cref="MmapErrorCode.PreviousOwnerHoldsFile"/>), never the other way round.</para>
/// <para>A file this member can only open read-only (its permissions, a read-only root or mount) is locked shared
/// (<c>F_RDLCK</c>, which needs no write access): an owner that cannot write the file cannot lose a write, and a shared
/// lock still keeps out an exclusive one, so a writable owner and a read-only one never serve it together.</para>
/// <para>Not thread-safe; one instance per owner.</para>
/// </remarks>
internal sealed class OwnerLock : IDisposable
{
    /// <summary>Where the locked byte is: far beyond any file's size (files cannot reach 2^62 bytes on Linux file
    /// systems), so it never meets users' locks of byte ranges in their data.</summary>
    public const long Offset = 1L << 62;

    private readonly ServedFile _file;

    private OwnerLock(ServedFile file) => _file = file;

    /// <summary>Whether the lock is shared (the file could only be opened read-only), rather than exclusive.</summary>
    public bool Shared => !_file.Writable;

    /// <summary>Whether <see cref="Dispose"/> has released the lock.</summary>
    public bool Released => _file.IsClosed;

    /// <summary>
    /// Opens <paramref name="relativePath"/> beneath <paramref name="root"/> on a descriptor of its own and locks it.
    /// </summary>
    /// <param name="root">The shared root.</param>
    /// <param name="relativePath">The file's entity id (its canonical path relative to the root).</param>
    /// <returns>The lock, held until it is disposed; or <see langword="null"/> when another open file description (the
    /// previous owner's, in this process or any other on any machine the file system's locks reach) holds a conflicting
    /// lock.</returns>
    /// <exception cref="MmapException">The file cannot be opened (the errors of <see cref="ServedRoot.OpenFile"/>, as the
    /// owner's open would meet them), or the file system refuses the lock (e.g. 37 ENOLCK, 22 EINVAL without OFD
    /// locks): the member then does not serve the file rather than serve it unfenced.</exception>
    public static OwnerLock? TryTake(ServedRoot root, string relativePath)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentException.ThrowIfNullOrEmpty(relativePath);
        var file = OpenForLock(root, relativePath);
        try
        {
            var request = new LibC.Flock
            {
                Type = file.Writable ? LibC.F_WRLCK : LibC.F_RDLCK,
                Whence = LibC.SEEK_SET,
                Start = Offset,
                Length = 1,
            };
            int errno = LibC.FcntlLock(file.Descriptor, LibC.F_OFD_SETLK, ref request);
            if (errno == 0)
            {
                return new OwnerLock(file);
            }
            file.Dispose();
            // fcntl(2): a conflicting lock is refused with EAGAIN or EACCES, depending on the system.
            return errno is LibC.EAGAIN or LibC.EACCES
                ? null
                : throw MmapException.FromErrno(errno, $"{ServedRoot.Quote(relativePath)} (locking the file for its cluster owner)");
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static ServedFile OpenForLock(ServedRoot root, string relativePath)
    {
        try
        {
            return root.OpenFile(relativePath, writable: true);
        }
        catch (MmapException e) when (e.Errno is LibC.EACCES or LibC.EPERM or LibC.EROFS)
        {
            return root.OpenFile(relativePath, writable: false); // locked shared: see the remarks
        }
    }

    /// <summary>The typed error of an open that waited for the previous owner's lock in vain.</summary>
    /// <param name="key">The file's canonical path.</param>
    /// <param name="waited">How long the open waited.</param>
    public static MmapError PreviousOwnerHolds(string key, TimeSpan waited) =>
        new(MmapErrorKind.OSError,
            $"[Errno {LibC.EAGAIN}] Resource temporarily unavailable: {ServedRoot.Quote(key)}: the file's previous cluster owner " +
            $"still holds its lock after {waited.TotalSeconds:0.#} s (its process is alive but has not released the file: frozen, " +
            "paused or still stopping); this member does not serve it until then",
            LibC.EAGAIN) { Code = MmapErrorCode.PreviousOwnerHoldsFile };

    /// <summary>Releases the lock (closes its descriptor). Call only once the owner's maps are flushed and closed.</summary>
    public void Dispose() => _file.Dispose();
}
