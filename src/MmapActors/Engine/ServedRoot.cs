using System.Runtime.InteropServices;
using System.Text;
using MmapActors.Actors;
using MmapActors.Native;

namespace MmapActors;

/// <summary>
/// A directory whose files may be opened by <b>untrusted</b> relative paths (paths sent by remote nodes).
/// Every open resolves the path with Linux's <c>openat2(2)</c> beneath a descriptor of the root, so the kernel
/// itself refuses, atomically, anything that would leave the root: an absolute path, a <c>..</c> escape, a
/// symlink (file or directory, relative or absolute) pointing outside, a <c>/proc</c> magic link, or another
/// mount (<c>/proc</c>, <c>/sys</c>, <c>/dev</c> mounted or bind-mounted inside the root). There is no
/// check-then-open window for a concurrent rename or symlink swap to exploit, and only regular files are
/// ever handed out.
/// </summary>
/// <remarks>
/// <para>Every refusal is an <see cref="MmapException"/> of kind <see cref="MmapErrorKind.OSError"/> (except a
/// bad length in <see cref="CreateFile(string, long, long)"/>) whose message has CPython's form
/// <c>[Errno N] strerror: 'path' explanation</c>. The path in a message is quoted like Python's <c>repr</c>
/// (control characters escaped, so an untrusted path cannot forge log lines) and cut after 200 characters.</para>
/// <list type="table">
/// <listheader><term>request</term><description>errno and message</description></listheader>
/// <item><term>an empty path</term><description>2 ENOENT: <c>'' (the path is empty)</c></description></item>
/// <item><term>a NUL or an unpaired surrogate</term><description>22 EINVAL: <c>... contains a NUL byte</c> /
/// <c>... is not valid Unicode</c></description></item>
/// <item><term>an absolute path</term><description>18 EXDEV: <c>... is an absolute path; served paths are
/// relative to the root</c> (checked before the kernel, which would give the same errno)</description></item>
/// <item><term><c>..</c> escape, symlink leaving the root, absolute symlink, another mount</term>
/// <description>18 EXDEV (openat2's answer): <c>... resolves outside the served root</c></description></item>
/// <item><term>a magic link or a symlink loop</term><description>40 ELOOP</description></item>
/// <item><term>a directory</term><description>21 EISDIR: <c>[Errno 21] Is a directory: 'sub'</c></description></item>
/// <item><term>a FIFO, socket, character or block device</term><description>19 ENODEV:
/// <c>[Errno 19] No such device: 'x' is not a regular file (a FIFO)</c>. Linux refuses to open a socket (and a
/// device without a driver) with ENXIO; that is reported as the same ENODEV refusal.</description></item>
/// <item><term>a writable open of a read-only root</term><description>13 EACCES (<c>PermissionError</c>):
/// <c>... (the served root is read-only)</c>, before the path is even looked at</description></item>
/// <item><term>openat2 missing (Linux &lt; 5.6) or blocked (seccomp)</term><description>the kernel's errno
/// (38 ENOSYS, 1 EPERM) from <see cref="Open"/>: the root is never served without race-free
/// resolution</description></item>
/// <item><term>anything else (missing file, permissions...)</term><description>the kernel's errno, CPython's
/// message: <c>[Errno 2] No such file or directory: 'x'</c></description></item>
/// </list>
/// <para>Symlinks are followed only while they stay beneath the root, and only relative ones: an absolute
/// symlink is refused even when it names a file inside the root (openat2's <c>RESOLVE_BENEATH</c> rule).</para>
/// <para>Not covered by path resolution: a <b>hard link</b> inside the root to a file outside it is the same
/// inode and opens normally. Keep <c>fs.protected_hardlinks=1</c> and do not let untrusted users write into the
/// root.</para>
/// <para>All members are thread-safe. <see cref="Dispose"/> closes the root descriptor once no open is using
/// it; files already opened stay open.</para>
/// </remarks>
public sealed unsafe partial class ServedRoot : IDisposable
{
    /// <summary>
    /// BENEATH: no absolute paths, no escaping "..", no symlink leaving the root. NO_MAGICLINKS: no
    /// /proc/*/fd-style links, which would jump to any open file. NO_XDEV: no crossing into another mount, so a
    /// /proc, /sys, /dev or bind mount inside the root cannot be reached.
    /// </summary>
    private const ulong Resolve = LibC.RESOLVE_BENEATH | LibC.RESOLVE_NO_MAGICLINKS | LibC.RESOLVE_NO_XDEV;

    /// <summary>
    /// openat2 returns EAGAIN when a concurrent rename could have let a ".." escape (the kernel refuses rather
    /// than guess) and EINTR when a signal interrupts a slow filesystem; both are worth a few retries, but a
    /// bounded number, so a peer that keeps renaming cannot spin a server thread forever.
    /// </summary>
    private const int MaxAttempts = 8;

    /// <summary>Longest path shown in a message: an untrusted path may be up to 4 KiB.</summary>
    private const int MaxQuotedLength = 200;

    /// <summary>Refuses unpaired surrogates instead of replacing them with U+FFFD, which would let two different
    /// request strings name the same file.</summary>
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>"." as a NUL-terminated path: the root itself.</summary>
    private static readonly byte[] CurrentDirectory = [(byte)'.', 0];

    private readonly SafeDescriptorHandle _root;

    private ServedRoot(SafeDescriptorHandle root, string rootPath, bool readOnly)
    {
        _root = root;
        RootPath = rootPath;
        ReadOnly = readOnly;
    }

    /// <summary>The root's canonical absolute path (every symlink resolved), as it was when it was opened.</summary>
    public string RootPath { get; }

    /// <summary>Whether only read-only opens are allowed.</summary>
    public bool ReadOnly { get; }

    /// <summary>
    /// Opens <paramref name="rootDirectory"/> (a trusted path from the server's configuration; symlinks in it
    /// are followed) and keeps an <c>O_PATH</c> descriptor of it: later renames of the directory do not change
    /// what is served. Checks once that openat2(2) works, so a kernel or sandbox without it fails here.
    /// </summary>
    /// <param name="rootDirectory">The directory to serve.</param>
    /// <param name="readOnly">Whether to refuse every writable open and every create.</param>
    /// <exception cref="ArgumentNullException"><paramref name="rootDirectory"/> is null.</exception>
    /// <exception cref="MmapException">OSError: 2 ENOENT when the directory is missing, 20 ENOTDIR when it is
    /// not a directory, 38 ENOSYS (or another errno) when openat2(2) is unusable.</exception>
    public static ServedRoot Open(string rootDirectory, bool readOnly)
    {
        ArgumentNullException.ThrowIfNull(rootDirectory);
        if (rootDirectory.Length == 0)
        {
            throw MmapException.FromErrno(LibC.ENOENT, "'' (the served root path is empty)");
        }
        if (rootDirectory.Contains('\0'))
        {
            throw MmapException.FromErrno(LibC.EINVAL, $"{Quote(rootDirectory)} contains a NUL byte");
        }
        int fd = LibC.Open(rootDirectory, LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw MmapException.FromErrno(errno, $"{Quote(rootDirectory)} (the served root)");
        }
        var root = new SafeDescriptorHandle(fd);
        try
        {
            // Fail closed now rather than on the first remote request: without openat2 the only alternatives
            // (realpath-then-open, or walking with O_NOFOLLOW) are either racy or a re-implementation of it.
            int probe = OpenAt2(fd, CurrentDirectory, LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0);
            if (probe < 0)
            {
                throw Unavailable(Marshal.GetLastPInvokeError(), rootDirectory);
            }
            LibC.Close(probe);
            return new ServedRoot(root, ReadDescriptorLink(fd), readOnly);
        }
        catch
        {
            root.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens a regular file beneath the root for mapping. The path is resolved by the kernel with openat2(2)
    /// (<c>RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV</c>), opened with
    /// <c>O_CLOEXEC | O_NOCTTY | O_NONBLOCK</c> (a FIFO opens at once instead of blocking the thread, a terminal
    /// never becomes the controlling one), and checked with fstat on the same descriptor: anything but a regular
    /// file is closed again and refused.
    /// </summary>
    /// <param name="relativePath">The untrusted path, relative to the root. In-root <c>..</c> and in-root
    /// relative symlinks are allowed.</param>
    /// <param name="writable">Open read/write (<c>O_RDWR</c>) instead of read-only.</param>
    /// <returns>The open file; the caller owns it and must dispose it.</returns>
    /// <exception cref="MmapException">OSError with the errno and message listed on <see cref="ServedRoot"/>.</exception>
    /// <exception cref="ObjectDisposedException">The root has been disposed.</exception>
    public ServedFile OpenFile(string relativePath, bool writable)
    {
        if (writable && ReadOnly)
        {
            // Checked first, so a read-only root never even reveals whether the path exists.
            throw MmapException.FromErrno(LibC.EACCES, $"{Quote(relativePath ?? string.Empty)} (the served root is read-only)");
        }
        byte[] path = EncodePath(relativePath);
        int flags = (writable ? LibC.O_RDWR : LibC.O_RDONLY) | LibC.O_CLOEXEC | LibC.O_NONBLOCK | LibC.O_NOCTTY;
        var file = new SafeDescriptorHandle(OpenBeneathRoot(path, flags, 0, relativePath));
        try
        {
            int fd = file.Descriptor;
            int errno = LibC.FileType(fd, out int type, out long size);
            if (errno != 0)
            {
                throw MmapException.FromErrno(errno, Quote(relativePath));
            }
            if (type != LibC.S_IFREG)
            {
                throw NotRegular(type, relativePath);
            }
            return new ServedFile(file, relativePath, CanonicalKey(fd), writable, size);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Creates a new regular file beneath the root (never an existing one: <c>O_CREAT | O_EXCL</c>, mode 0644
    /// less the process's umask, as <c>touch</c> and <c>cp</c> create files) and reserves its length with fallocate(2),
    /// so a filesystem without room for it fails here with 28 ENOSPC (and no file is left behind) instead of at a write
    /// into the map later. On a filesystem without fallocate the length is set with ftruncate(2) and the file is sparse
    /// (writes into its holes are still guarded: ENOSPC, never SIGBUS). The file and its directory are fsynced, so the
    /// new name survives a crash.
    /// </summary>
    /// <param name="relativePath">The untrusted path of the new file; its directory must exist beneath the root.</param>
    /// <param name="length">The file's length in bytes, 0 to <paramref name="maxLength"/>.</param>
    /// <param name="maxLength">The largest length the caller allows (a quota).</param>
    /// <returns>The new file, open read/write; the caller owns it and must dispose it.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> is negative.</exception>
    /// <exception cref="MmapException">ValueError when <paramref name="length"/> is negative or above
    /// <paramref name="maxLength"/>; OSError 13 EACCES on a read-only root, 17 EEXIST when the name exists
    /// (even as a dangling symlink), 22 EINVAL when the path does not end in a file name, 28 ENOSPC when the
    /// filesystem has no room for the length, otherwise as <see cref="OpenFile"/>.</exception>
    /// <exception cref="ObjectDisposedException">The root has been disposed.</exception>
    public ServedFile CreateFile(string relativePath, long length, long maxLength) => CreateFile(relativePath, length, maxLength, disk: null);

    /// <summary>As <see cref="CreateFile(string, long, long)"/>, and first asks <paramref name="disk"/> (the node's
    /// <c>mmap.limits.min-free-disk</c>) about the filesystem of the new file's directory: below the floor nothing is
    /// created (OSError 28 ENOSPC).</summary>
    internal ServedFile CreateFile(string relativePath, long length, long maxLength, DiskFloor? disk)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        if (ReadOnly)
        {
            throw MmapException.FromErrno(LibC.EACCES, $"{Quote(relativePath ?? string.Empty)} (the served root is read-only)");
        }
        if (length < 0 || length > maxLength)
        {
            throw new MmapException(MmapErrorKind.ValueError, $"file length {length} is outside the allowed range 0..{maxLength}");
        }
        EncodePath(relativePath);
        int slash = relativePath.LastIndexOf('/');
        string name = relativePath[(slash + 1)..];
        if (name is "" or "." or "..")
        {
            throw MmapException.FromErrno(LibC.EINVAL, $"{Quote(relativePath)} does not end in a file name");
        }
        // The directory is opened first (readable, because fsync needs more than O_PATH) and the file created
        // beneath that descriptor: a clean-up after a failure then removes the name from the same directory,
        // whatever happens to the path meanwhile.
        byte[] parentPath = slash <= 0 ? CurrentDirectory : EncodePath(relativePath[..slash]);
        using var parent = new SafeDescriptorHandle(OpenParentForCreate(parentPath, relativePath, slash));
        int parentFd = parent.Descriptor;
        // The directory's filesystem is the new file's. Admitted until the reservation below is made (or failed).
        using var admitted = disk?.Admit(parentFd, length, $"creating a file of {length} bytes") ?? default;
        int flags = LibC.O_RDWR | LibC.O_CREAT | LibC.O_EXCL | LibC.O_CLOEXEC | LibC.O_NONBLOCK | LibC.O_NOCTTY;
        byte[] nameBytes = EncodePath(name);
        int fd = Retry(() => OpenAt2(parentFd, nameBytes, flags, NewFileMode));
        if (fd < 0)
        {
            throw DescribeOpenFailure(Marshal.GetLastPInvokeError(), relativePath);
        }
        var file = new SafeDescriptorHandle(fd);
        try
        {
            int errno = Reserve(fd, length);
            if (errno == 0 && (LibC.Fsync(fd) != 0 || LibC.Fsync(parentFd) != 0))
            {
                errno = Marshal.GetLastPInvokeError();
            }
            if (errno != 0)
            {
                LibC.Unlinkat(parentFd, name, 0);
                throw MmapException.FromErrno(errno, Quote(relativePath));
            }
            return new ServedFile(file, relativePath, CanonicalKey(fd), writable: true, length);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Gives a new, empty file <paramref name="length"/> allocated bytes (a sparse length where the filesystem
    /// cannot allocate ahead); ENOSPC or EDQUOT when there is no room.</summary>
    /// <returns>0, or the errno.</returns>
    private static int Reserve(int fd, long length)
    {
        if (length == 0 || LibC.Fallocate(fd, 0, 0, length) == 0)
        {
            return 0;
        }
        int errno = Marshal.GetLastPInvokeError();
        if (errno is LibC.ENOSPC or LibC.EDQUOT)
        {
            return errno;
        }
        // No fallocate on this filesystem or another refusal: a sparse length, as before.
        return LibC.Ftruncate(fd, length) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>
    /// The canonical absolute path of an open file, read from <c>/proc/self/fd/N</c>: the path the kernel
    /// reached it by, with every symlink resolved, so two relative paths to the same file (one through an in-root
    /// symlink, say) give the same key. The key is taken from the open descriptor, not re-resolved from a path,
    /// so it names the file that was actually opened.
    /// </summary>
    /// <param name="fd">An open descriptor.</param>
    /// <returns>The absolute path; it ends in <c> (deleted)</c> once the file has been unlinked.</returns>
    /// <exception cref="MmapException">OSError: 9 EBADF for a descriptor that is not open, 2 ENOENT when
    /// <c>/proc</c> is not mounted, 84 EILSEQ when the path is not valid UTF-8 (it cannot be a string key
    /// without risking two files sharing one; <see cref="OpenFile"/> then refuses the file).</exception>
    public string CanonicalKey(int fd)
    {
        if (fd < 0)
        {
            throw MmapException.FromErrno(LibC.EBADF);
        }
        return ReadDescriptorLink(fd);
    }

    /// <summary>Closes the root descriptor (once no concurrent open is using it). Opened files stay open.</summary>
    public void Dispose() => _root.Dispose();

    /// <summary>The message of every refusal by openat2's errno, exposed for tests of cases a test cannot provoke.</summary>
    internal static MmapException DescribeOpenFailure(int errno, string relativePath) => errno switch
    {
        LibC.EXDEV => MmapException.FromErrno(errno,
            $"{Quote(relativePath)} resolves outside the served root (a '..' escape, a symlink leaving the root, an absolute symlink, or another mount)"),
        LibC.ELOOP => MmapException.FromErrno(errno,
            $"{Quote(relativePath)} (a symlink loop, or a magic link such as /proc/self/fd/N, which served paths may not follow)"),
        // open(2) gives ENXIO only for special files: a socket, a device with no driver, a FIFO opened for
        // writing with no reader. All are "not a regular file", reported the same way as the fstat check.
        LibC.ENXIO => MmapException.FromErrno(LibC.ENODEV, $"{Quote(relativePath)} is not a regular file (a socket or a device)"),
        LibC.ENOSYS => Unavailable(errno, relativePath),
        _ => MmapException.FromErrno(errno, Quote(relativePath)),
    };

    /// <summary>Python's <c>repr</c> of a path, shortened: safe to put in a log line whatever the peer sent.</summary>
    internal static string Quote(string? path)
    {
        if (path is null)
        {
            return "None";
        }
        var text = new StringBuilder(Math.Min(path.Length, MaxQuotedLength) + 8).Append('\'');
        foreach (char c in path.Length > MaxQuotedLength ? path[..MaxQuotedLength] : path)
        {
            text.Append(c switch
            {
                '\\' => "\\\\",
                '\'' => "\\'",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < ' ' or '\x7f' => $"\\x{(int)c:x2}",
                _ when char.IsControl(c) || char.IsSurrogate(c) || c is '\u2028' or '\u2029' => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }
        return text.Append(path.Length > MaxQuotedLength ? "'..." : "'").ToString();
    }

    /// <summary>
    /// Validates an untrusted relative path and returns it as NUL-terminated UTF-8. These checks only give a
    /// clearer message than the kernel would; containment is enforced by openat2 alone.
    /// </summary>
    private static byte[] EncodePath(string? relativePath)
    {
        if (string.IsNullOrEmpty(relativePath))
        {
            throw MmapException.FromErrno(LibC.ENOENT, $"{Quote(relativePath ?? string.Empty)} (the path is empty)");
        }
        if (relativePath.Contains('\0'))
        {
            // A NUL would silently cut the path short in C; CPython refuses it too (with ValueError).
            throw MmapException.FromErrno(LibC.EINVAL, $"{Quote(relativePath)} contains a NUL byte");
        }
        if (relativePath[0] == '/')
        {
            throw MmapException.FromErrno(LibC.EXDEV, $"{Quote(relativePath)} is an absolute path; served paths are relative to the root");
        }
        byte[] bytes;
        try
        {
            bytes = new byte[StrictUtf8.GetByteCount(relativePath) + 1];
        }
        catch (EncoderFallbackException)
        {
            throw MmapException.FromErrno(LibC.EINVAL, $"{Quote(relativePath)} is not valid Unicode (an unpaired surrogate)");
        }
        if (bytes.Length > LibC.PATH_MAX)
        {
            throw MmapException.FromErrno(LibC.ENAMETOOLONG, Quote(relativePath));
        }
        StrictUtf8.GetBytes(relativePath, bytes);
        return bytes;
    }

    /// <summary>
    /// Lists a directory beneath the root (<c>""</c> or <c>"."</c> for the root itself), resolved like files are, so a
    /// listing can never show what lies outside. Entries are not followed: a symlink is listed as a link.
    /// </summary>
    /// <returns>Name, size in bytes (0 for directories and links) and kind of each entry, sorted by name.</returns>
    public IReadOnlyList<(string Name, long Size, string Kind)> ListDirectory(string relativePath)
    {
        byte[] path = string.IsNullOrEmpty(relativePath) || relativePath == "." ? CurrentDirectory : EncodePath(relativePath);
        using var directory = new SafeDescriptorHandle(
            OpenBeneathRoot(path, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0, relativePath ?? string.Empty));
        // The descriptor was resolved beneath the root; enumerating through /proc/self/fd reads that very directory.
        var entries = new List<(string, long, string)>();
        foreach (var info in new DirectoryInfo($"/proc/self/fd/{directory.Descriptor}").EnumerateFileSystemInfos())
        {
            string kind = info.LinkTarget is not null ? "link" : info is DirectoryInfo ? "directory" : "file";
            entries.Add((info.Name, kind == "file" ? ((FileInfo)info).Length : 0, kind));
        }
        entries.Sort((a, b) => string.CompareOrdinal(a.Item1, b.Item1));
        return entries;
    }

    /// <summary>openat2 beneath the root descriptor, which is kept open (never closed and reused) meanwhile.</summary>
    private int OpenBeneathRoot(byte[] path, int flags, int mode, string relativePath)
    {
        bool added = false;
        try
        {
            _root.DangerousAddRef(ref added);
            int rootFd = _root.Descriptor;
            int fd = Retry(() => OpenAt2(rootFd, path, flags, mode));
            if (fd < 0)
            {
                throw DescribeOpenFailure(Marshal.GetLastPInvokeError(), relativePath);
            }
            return fd;
        }
        finally
        {
            if (added)
            {
                _root.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// The directory a new file goes in. A directory that is missing (or is a file) is named as what failed, not the file:
    /// for an upload the file is a temporary name the user never chose, and <c>mmapctl put dir/x</c> used to answer
    /// "No such file or directory: 'dir/.x.f856a810b4ef0efb.part'".
    /// </summary>
    private int OpenParentForCreate(byte[] parentPath, string relativePath, int slash)
    {
        try
        {
            return OpenBeneathRoot(parentPath, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0, relativePath);
        }
        catch (MmapException e) when (e.Errno is LibC.ENOENT or LibC.ENOTDIR && slash > 0)
        {
            throw MmapException.FromErrno(e.Errno.Value,
                $"{Quote(relativePath[..(slash + 1)])} (no such directory: files are created only in directories that exist)");
        }
    }

    /// <summary>Runs an open, retrying EAGAIN and EINTR a bounded number of times; the errno stays set on failure.</summary>
    private static int Retry(Func<int> open)
    {
        for (int attempt = 1; ; attempt++)
        {
            int fd = open();
            if (fd >= 0 || attempt == MaxAttempts || Marshal.GetLastPInvokeError() is not (LibC.EAGAIN or LibC.EINTR))
            {
                return fd;
            }
        }
    }

    /// <summary>openat2 with our resolve flags; <paramref name="path"/> is NUL-terminated.</summary>
    private static int OpenAt2(int directoryFd, byte[] path, int flags, int mode)
    {
        fixed (byte* bytes = path)
        {
            return LibC.OpenAt2(directoryFd, bytes, flags, mode, Resolve);
        }
    }

    private static string ReadDescriptorLink(int fd)
    {
        string link = $"/proc/self/fd/{fd}";
        int errno = LibC.ReadLink(link, out string target);
        return errno == 0 ? target : throw MmapException.FromErrno(errno, $"{Quote(link)} (canonical keys are read from /proc)");
    }

    private static MmapException NotRegular(int type, string relativePath)
    {
        if (type == LibC.S_IFDIR)
        {
            return MmapException.FromErrno(LibC.EISDIR, Quote(relativePath));
        }
        string kind = type switch
        {
            LibC.S_IFIFO => "a FIFO",
            LibC.S_IFCHR => "a character device",
            LibC.S_IFBLK => "a block device",
            LibC.S_IFSOCK => "a socket",
            LibC.S_IFLNK => "a symbolic link",
            _ => $"file type 0x{type:x}",
        };
        return MmapException.FromErrno(LibC.ENODEV, $"{Quote(relativePath)} is not a regular file ({kind})");
    }

    private static MmapException Unavailable(int errno, string path) => MmapException.FromErrno(errno,
        errno == LibC.ENOSYS
            ? $"openat2(2) is not available (Linux 5.6 or later is required); refusing to serve {Quote(path)} without race-free path resolution"
            : $"openat2(2) failed (blocked by a seccomp filter?); refusing to serve {Quote(path)} without race-free path resolution");
}
