using System.IO.Enumeration;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using MmapActors.Native;

namespace MmapActors;

// Uploads that cannot lie: a client writes a new version under a temporary name in the target's directory, then
// commits it, and readers see the old file or the new one, never a mixture. Stat answers without mapping, so empty
// files can be inspected.
public sealed unsafe partial class ServedRoot
{
    /// <summary>The mode of a new file before the umask (0644), as <c>touch</c> and <c>cp</c> create files.</summary>
    public const int NewFileMode = 0x1A4;

    /// <summary>How a temporary upload's name ends: <c>.&lt;16 hex digits&gt;.part</c>.</summary>
    public const string TemporarySuffix = ".part";

    /// <summary>Most directory entries one <see cref="SweepStaleUploads"/> looks at, so that a directory of millions of
    /// files cannot stall the request that triggered the sweep (a few milliseconds of readdir at most).</summary>
    public const int MaxSweepEntries = 4096;

    /// <summary>Longest piece of the target's name kept in a temporary name (file names are limited to 255 bytes).</summary>
    private const int MaxNameInTemporary = 120;

    /// <summary>
    /// A temporary name for a new version of <paramref name="relativePath"/>, in the same directory (so the commit is a
    /// rename within one directory and one filesystem): <c>dir/.name.0123456789abcdef.part</c>. Hidden from a plain
    /// <c>ls</c>, recognisable as unfinished, and random, so two uploads never collide.
    /// </summary>
    /// <exception cref="ArgumentException">The path does not end in a file name.</exception>
    public static string TemporaryNameFor(string relativePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(relativePath);
        int slash = relativePath.LastIndexOf('/');
        string name = relativePath[(slash + 1)..];
        if (name is "" or "." or "..")
        {
            throw new ArgumentException($"{Quote(relativePath)} does not end in a file name", nameof(relativePath));
        }
        if (name.Length > MaxNameInTemporary)
        {
            name = name[..MaxNameInTemporary];
        }
        string random = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        return $"{relativePath[..(slash + 1)]}.{name}.{random}{TemporarySuffix}";
    }

    /// <summary>Whether a file name (no directory) has the form <see cref="TemporaryNameFor"/> gives.</summary>
    public static bool IsTemporaryName(string name)
    {
        // "." + at least one character + "." + 16 hex + ".part"
        const int Tail = 1 + 16 + 5;
        if (name.Length < 2 + Tail || name[0] != '.' || !name.EndsWith(TemporarySuffix, StringComparison.Ordinal) ||
            name[^Tail] != '.')
        {
            return false;
        }
        foreach (char c in name.AsSpan(name.Length - Tail + 1, 16))
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }
        return !name.Contains('/');
    }

    /// <summary>Whether a relative path's last component is a temporary upload's name (<see cref="IsTemporaryName"/>):
    /// <c>dir/.name.0123456789abcdef.part</c>. Such a name belongs to the upload that made it, never to a peer that merely
    /// names it (docs/remote.md, "Unfinished uploads").</summary>
    public static bool IsTemporaryPath(string? relativePath) =>
        relativePath is not null && IsTemporaryName(relativePath[(relativePath.LastIndexOf('/') + 1)..]);

    /// <summary>
    /// The size and kind of a path beneath the root, resolved exactly as <see cref="OpenFile"/> resolves it (openat2
    /// with <c>O_PATH</c>: nothing is opened for reading, so FIFOs and devices are safe to ask about) but without
    /// mapping anything: an empty file is simply 0 bytes.
    /// </summary>
    /// <returns>The size in bytes (0 for anything but a regular file) and <c>file</c>, <c>directory</c> or
    /// <c>other</c>.</returns>
    /// <exception cref="MmapException">OSError as <see cref="OpenFile"/> (ENOENT, EXDEV, ELOOP...).</exception>
    public (long Size, string Kind) Stat(string relativePath)
    {
        byte[] path = EncodePath(relativePath);
        using var file = new SafeDescriptorHandle(OpenBeneathRoot(path, LibC.O_PATH | LibC.O_CLOEXEC, 0, relativePath));
        int errno = LibC.FileType(file.Descriptor, out int type, out long size);
        if (errno != 0)
        {
            throw MmapException.FromErrno(errno, Quote(relativePath));
        }
        return type switch
        {
            LibC.S_IFREG => (size, "file"),
            LibC.S_IFDIR => (0, "directory"),
            _ => (0, "other"),
        };
    }

    /// <summary>
    /// Commits an upload: fsyncs the temporary file, gives it the mode of the file it replaces (if any), renames it
    /// over <paramref name="relativePath"/> with renameat(2) inside their common directory, and fsyncs that directory,
    /// so after a crash the name holds the old file or the complete new one. With <paramref name="discard"/>, removes
    /// the temporary file instead (an abandoned upload).
    /// </summary>
    /// <param name="temporaryPath">A name from <see cref="TemporaryNameFor"/>, in the same directory as
    /// <paramref name="relativePath"/>; anything else is refused, so this cannot rename or delete ordinary files.</param>
    /// <param name="relativePath">The final name (untrusted, resolved beneath the root like every path).</param>
    /// <param name="discard">Remove the temporary file instead of committing it.</param>
    /// <returns>The canonical keys the two names had before the call (owners keyed by them map the old files).</returns>
    /// <exception cref="MmapException">OSError: 13 EACCES on a read-only root, 22 EINVAL when the names are not an
    /// upload and its target in one directory, 21 EISDIR when the target is a directory, otherwise the directory's
    /// resolution errors (EXDEV, ELOOP, ENOENT...).</exception>
    public (string TemporaryKey, string Key) CommitTemporary(string temporaryPath, string relativePath, bool discard)
    {
        if (ReadOnly)
        {
            throw MmapException.FromErrno(LibC.EACCES, $"{Quote(relativePath ?? string.Empty)} (the served root is read-only)");
        }
        EncodePath(temporaryPath);
        EncodePath(relativePath);
        int slash = relativePath.LastIndexOf('/');
        string name = relativePath[(slash + 1)..];
        string directory = slash < 0 ? "" : relativePath[..slash];
        int tempSlash = temporaryPath.LastIndexOf('/');
        string temporaryName = temporaryPath[(tempSlash + 1)..];
        if (name is "" or "." or ".." || !IsTemporaryName(temporaryName) ||
            !string.Equals(directory, tempSlash < 0 ? "" : temporaryPath[..tempSlash], StringComparison.Ordinal))
        {
            throw MmapException.FromErrno(LibC.EINVAL,
                $"{Quote(temporaryPath)} is not an upload of {Quote(relativePath)} (a '.name.<16 hex>.part' file in the same directory)");
        }
        byte[] parentPath = directory.Length == 0 ? CurrentDirectory : EncodePath(directory);
        using var parent = new SafeDescriptorHandle(
            OpenBeneathRoot(parentPath, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0, relativePath));
        int parentFd = parent.Descriptor;
        string prefix = ReadDescriptorLink(parentFd).TrimEnd('/') + "/";
        var keys = (prefix + temporaryName, prefix + name);
        if (discard)
        {
            if (LibC.Unlinkat(parentFd, temporaryName, 0) != 0 && Marshal.GetLastPInvokeError() is var errno && errno != LibC.ENOENT)
            {
                throw MmapException.FromErrno(errno, Quote(temporaryPath));
            }
            return keys;
        }

        // The temporary name is a plain name in an already-resolved directory: no path walk, nothing to escape with.
        byte[] temporaryBytes = EncodePath(temporaryName);
        int fd = Retry(() => OpenAt2(parentFd, temporaryBytes, LibC.O_RDONLY | LibC.O_CLOEXEC | LibC.O_NONBLOCK | LibC.O_NOCTTY, 0));
        if (fd < 0)
        {
            throw DescribeOpenFailure(Marshal.GetLastPInvokeError(), temporaryPath);
        }
        using (var temporary = new SafeDescriptorHandle(fd))
        {
            int errno = LibC.FileType(fd, out int type, out _);
            if (errno != 0 || type != LibC.S_IFREG)
            {
                throw errno != 0 ? MmapException.FromErrno(errno, Quote(temporaryPath)) : NotRegular(type, temporaryPath);
            }
            // A replaced file keeps its permissions (rsync and cp do the same); a new one keeps 0644 less the umask.
            if (LibC.ModeAt(parentFd, name, out int permissions, out bool isRegular) == 0 && isRegular)
            {
                LibC.Fchmod(fd, permissions);
            }
            if (LibC.Fsync(fd) != 0)
            {
                throw MmapException.FromErrno(Marshal.GetLastPInvokeError(), Quote(temporaryPath));
            }
        }
        // rename(2) itself refuses to replace a directory (EISDIR) and replaces a symlink, never its target.
        if (LibC.Renameat(parentFd, temporaryName, parentFd, name) != 0)
        {
            throw MmapException.FromErrno(Marshal.GetLastPInvokeError(), Quote(relativePath));
        }
        if (LibC.Fsync(parentFd) != 0)
        {
            throw MmapException.FromErrno(Marshal.GetLastPInvokeError(), $"{Quote(relativePath)} (syncing its directory)");
        }
        return keys;
    }

    /// <summary>
    /// Removes the uploads a killed server left behind in one directory: every entry whose name has exactly the form of
    /// <see cref="TemporaryNameFor"/> (<see cref="IsTemporaryName"/>), that is a regular file (looked at with statx and
    /// <c>AT_SYMLINK_NOFOLLOW</c>: a symlink, directory, FIFO, socket or device so named is never touched, nor what a
    /// link points to) and that was last modified more than <paramref name="olderThan"/> ago. A live upload writes and
    /// grows its file continuously (the data plane cuts a body slower than Kestrel's minimum rate, the actor protocol
    /// has transfer timeouts), so its modification time is recent; another server process sharing the root may be
    /// uploading into the same directory, which is why age decides, not whether the name is ours.
    /// </summary>
    /// <remarks>Non-recursive, and at most <see cref="MaxSweepEntries"/> entries are examined. The directory is resolved
    /// like every path (openat2 beneath the root, <c>O_DIRECTORY</c>), and each name is removed with unlinkat(2)
    /// relative to that descriptor: no path walk. An entry that cannot be examined or removed (another remover got
    /// there first, EACCES...) is skipped. Should a stale file be swapped for a symlink or a special file between the
    /// look and the removal, it is that hidden, temporary-named entry itself that goes (unlinkat never follows a link
    /// and refuses a directory), never anything else.</remarks>
    /// <param name="relativeDirectory">The untrusted directory, relative to the root; <c>""</c> or <c>"."</c> for the
    /// root itself.</param>
    /// <param name="olderThan">The age past which a temporary upload is abandoned; <see cref="TimeSpan.Zero"/> sweeps
    /// nothing (the switch that turns sweeping off).</param>
    /// <returns>What was removed; <see cref="StaleUploadSweep.None"/> on a read-only root or with a zero age.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="relativeDirectory"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="olderThan"/> is negative.</exception>
    /// <exception cref="MmapException">OSError as <see cref="OpenFile"/> when the directory cannot be resolved beneath
    /// the root (ENOENT, ENOTDIR, EXDEV, ELOOP...).</exception>
    /// <exception cref="ObjectDisposedException">The root has been disposed.</exception>
    public StaleUploadSweep SweepStaleUploads(string relativeDirectory, TimeSpan olderThan)
    {
        ArgumentNullException.ThrowIfNull(relativeDirectory);
        ArgumentOutOfRangeException.ThrowIfLessThan(olderThan, TimeSpan.Zero);
        if (ReadOnly || olderThan == TimeSpan.Zero)
        {
            return StaleUploadSweep.None;
        }
        bool isRoot = relativeDirectory is "" or ".";
        byte[] path = isRoot ? CurrentDirectory : EncodePath(relativeDirectory);
        using var directory = new SafeDescriptorHandle(
            OpenBeneathRoot(path, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0, relativeDirectory));
        int directoryFd = directory.Descriptor;
        string prefix = isRoot ? "" : relativeDirectory.TrimEnd('/') + "/";
        // In Unix time, as statx gives it: no date arithmetic to overflow, whatever the age or a file's stamp.
        var now = DateTimeOffset.UtcNow;
        long cutoffSeconds = now.ToUnixTimeSeconds() - (long)olderThan.TotalSeconds;
        long cutoffNanoseconds = (now.Ticks % TimeSpan.TicksPerSecond - olderThan.Ticks % TimeSpan.TicksPerSecond) * 100;
        if (cutoffNanoseconds < 0)
        {
            cutoffSeconds--;
            cutoffNanoseconds += 1_000_000_000;
        }
        var removed = new List<string>();
        int examined = 0;
        bool truncated = false;
        // The descriptor was resolved beneath the root; enumerating through /proc/self/fd reads that very directory.
        var names = new FileSystemEnumerable<string>($"/proc/self/fd/{directoryFd}", (ref FileSystemEntry entry) => entry.FileName.ToString(),
            new EnumerationOptions { RecurseSubdirectories = false, IgnoreInaccessible = true, AttributesToSkip = 0 });
        try
        {
            foreach (string name in names)
            {
                if (++examined > MaxSweepEntries)
                {
                    truncated = true;
                    break;
                }
                if (!IsTemporaryName(name) || LibC.IdentifyAt(directoryFd, name, out var entry) != 0 || !entry.IsRegular ||
                    entry.ModifiedSeconds > cutoffSeconds || (entry.ModifiedSeconds == cutoffSeconds && entry.ModifiedNanoseconds >= cutoffNanoseconds))
                {
                    continue;
                }
                if (LibC.Unlinkat(directoryFd, name, 0) == 0)
                {
                    removed.Add(prefix + name);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The directory went away or became unreadable half way: what was removed so far is the answer.
            truncated = true;
        }
        return new StaleUploadSweep(removed, truncated);
    }
}
