using MmapActors.Native;

namespace MmapActors.Actors;

/// <summary>
/// <c>mmap.limits.min-free-disk</c>, enforced: every operation of a node that creates a file or makes one longer asks
/// here first (<see cref="Admit(int, long, string)"/>), with one statfs(2) of the file's filesystem, and is refused with
/// <c>OSError</c> errno 28 (ENOSPC) when the growth would leave less free than the floor. Reads, writes inside a file's
/// length and shrinking never come here: the check costs one statfs per growth, nothing per access.
/// </summary>
/// <remarks>
/// <para>Growth admitted but not yet allocated (a fallocate in progress on another owner's thread) is counted as taken,
/// so concurrent growths on one node cannot all pass the same look at the free space. The count is node-wide, not per
/// filesystem: with files on several filesystems it is conservative, for as long as a growth is in flight.</para>
/// <para>What this cannot stop: other processes writing to the filesystem, and writes into the holes of sparse files
/// (files made elsewhere, or grown where fallocate is missing) — those allocate at write time, within the file's length.</para>
/// <para>Thread-safe: the owners of a supervisor share one instance.</para>
/// </remarks>
internal sealed class DiskFloor
{
    private readonly IFreeSpaceProbe _probe;
    private long _inFlight;

    /// <param name="setting">The floor.</param>
    /// <param name="probe">How free space is measured (statfs(2) unless a test says otherwise).</param>
    public DiskFloor(MinFreeDisk setting, IFreeSpaceProbe? probe = null)
    {
        ArgumentNullException.ThrowIfNull(setting);
        Setting = setting;
        _probe = probe ?? StatfsProbe.Instance;
    }

    /// <summary>The floor as configured.</summary>
    public MinFreeDisk Setting { get; }

    /// <summary>Growth admitted and not yet finished.</summary>
    public long InFlight => Interlocked.Read(ref _inFlight);

    /// <summary>Admits <paramref name="bytes"/> of growth on the filesystem of <paramref name="fd"/> (a file, or the
    /// directory a file is created in). Dispose the permit once the growth is done, whether it succeeded or not.</summary>
    /// <param name="fd">An open descriptor on the filesystem that grows.</param>
    /// <param name="bytes">How many bytes the growth allocates.</param>
    /// <param name="what">The growth, for the message: "growing the file by 4096 bytes".</param>
    /// <exception cref="MmapException">OSError 28 ENOSPC below the floor; the probe's errno when statfs fails.</exception>
    public Permit Admit(int fd, long bytes, string what) =>
        Setting.IsOff || bytes < 0 ? default : Check(_probe.Probe(fd, out long available, out long total), available, total, bytes, what);

    /// <summary>As <see cref="Admit(int, long, string)"/>, for the filesystem holding <paramref name="path"/>.</summary>
    public Permit Admit(string path, long bytes, string what) =>
        Setting.IsOff || bytes < 0 ? default : Check(_probe.Probe(path, out long available, out long total), available, total, bytes, what);

    private Permit Check(int errno, long available, long total, long bytes, string what)
    {
        if (errno != 0)
        {
            // Not knowing the free space is not a reason to risk the disk: the growth fails with the kernel's answer.
            throw MmapException.FromErrno(errno, $"{what}: the free space of the filesystem could not be read (mmap.limits.min-free-disk)");
        }
        long floor = Setting.FloorFor(total);
        if (bytes > available - floor)
        {
            // Refused on its own, before it is counted: a request for up to long.MaxValue bytes never touches the count.
            throw Refusal(what, Setting);
        }
        long others = Interlocked.Add(ref _inFlight, bytes) - bytes;
        // available - others - bytes < floor, without overflow for any sizes a peer may send.
        if ((Int128)available - others - bytes < floor)
        {
            Interlocked.Add(ref _inFlight, -bytes);
            throw Refusal(what, Setting);
        }
        return new Permit(this, bytes);
    }

    /// <summary>The refusal: ENOSPC naming the floor and the setting. The free space itself is not told: a remote peer has
    /// no business learning the server's disk.</summary>
    internal static MmapException Refusal(string what, MinFreeDisk setting) =>
        new(MmapErrorKind.OSError,
            $"[Errno {LibC.ENOSPC}] No space left on device: {what} would leave less than {setting} free on its filesystem (mmap.limits.min-free-disk)",
            LibC.ENOSPC) { Code = MmapErrorCode.LimitExceeded };

    /// <summary>Admitted growth: counted as taken until disposed.</summary>
    internal readonly struct Permit : IDisposable
    {
        private readonly DiskFloor? _floor;
        private readonly long _bytes;

        internal Permit(DiskFloor floor, long bytes)
        {
            _floor = floor;
            _bytes = bytes;
        }

        public void Dispose()
        {
            if (_floor is not null)
            {
                Interlocked.Add(ref _floor._inFlight, -_bytes);
            }
        }
    }
}
