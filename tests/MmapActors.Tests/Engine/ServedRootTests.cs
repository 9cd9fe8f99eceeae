using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;

namespace MmapActors.Tests.Engine;

/// <summary>
/// <see cref="ServedRoot"/> against every way an untrusted relative path can try to leave the root or reach
/// something that is not a plain file. Each test builds its own tree:
/// <code>
/// parent/outside/secret.txt          the file an attacker wants
/// parent/root/a.txt, empty.bin, sub/b.txt, sub/deeper/c.txt
///             link-in -> a.txt, sub/link-up -> ../a.txt          (in-root symlinks: allowed)
///             evil -> ../outside/secret.txt, evil-abs -> /abs/outside/secret.txt
///             evil-dir -> ../outside, evil-dir-abs -> /, abs-in -> /abs/root/a.txt, zero -> /dev/zero
///             loop1 -> loop2 -> loop1, dangling -> nowhere.txt
/// </code>
/// </summary>
[SupportedOSPlatform("linux")]
public sealed partial class ServedRootTests : IDisposable
{
    private static readonly byte[] AContents = "hello from inside the served root\n"u8.ToArray();
    private static readonly byte[] SecretContents = "SECRET outside the root\n"u8.ToArray();

    private readonly string _parent;
    private readonly string _root;
    private readonly string _outside;

    public ServedRootTests()
    {
        // Resolved, so that expected keys compare equal even if the temp directory is reached through a symlink.
        string created = Directory.CreateTempSubdirectory("served-root-").FullName;
        Assert.Equal(0, MmapActors.Native.LibC.CanonicalPath(created, out _parent));
        _root = Path.Combine(_parent, "root");
        _outside = Path.Combine(_parent, "outside");
        Directory.CreateDirectory(_outside);
        File.WriteAllBytes(Path.Combine(_outside, "secret.txt"), SecretContents);
        File.WriteAllBytes(Path.Combine(_outside, "x.txt"), SecretContents);

        Directory.CreateDirectory(Path.Combine(_root, "sub", "deeper"));
        File.WriteAllBytes(Path.Combine(_root, "a.txt"), AContents);
        File.WriteAllBytes(Path.Combine(_root, "empty.bin"), []);
        File.WriteAllBytes(Path.Combine(_root, "sub", "b.txt"), "bee\n"u8.ToArray());
        File.WriteAllBytes(Path.Combine(_root, "sub", "x.txt"), AContents);
        File.WriteAllBytes(Path.Combine(_root, "sub", "deeper", "c.txt"), "sea\n"u8.ToArray());

        Link("link-in", "a.txt");
        Link("sub/link-up", "../a.txt");
        Link("evil", "../outside/secret.txt");
        Link("evil-abs", Path.Combine(_outside, "secret.txt"));
        Link("evil-dir", "../outside");
        Link("evil-dir-abs", "/");
        Link("abs-in", Path.Combine(_root, "a.txt"));
        Link("zero", "/dev/zero");
        Link("loop1", "loop2");
        Link("loop2", "loop1");
        Link("dangling", "nowhere.txt");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_parent, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    // ---- opening the root ----

    [Fact]
    public void A_missing_root_is_refused_with_ENOENT_naming_the_directory()
    {
        string missing = Path.Combine(_parent, "no-such-dir");
        var error = Assert.Throws<MmapException>(() => ServedRoot.Open(missing, readOnly: true));
        AssertOSError(error, 2, missing);
        Assert.Equal("FileNotFoundError", error.PythonTypeName);
    }

    [Fact]
    public void A_root_that_is_a_file_is_refused_with_ENOTDIR()
    {
        string file = Path.Combine(_root, "a.txt");
        var error = Assert.Throws<MmapException>(() => ServedRoot.Open(file, readOnly: true));
        AssertOSError(error, 20, file);
        Assert.Equal("NotADirectoryError", error.PythonTypeName);
    }

    [Fact]
    public void The_root_path_is_canonical_even_when_the_root_is_given_through_a_symlink()
    {
        string alias = Path.Combine(_parent, "alias");
        Directory.CreateSymbolicLink(alias, "root");
        using var root = ServedRoot.Open(alias + "/sub/..", readOnly: true);
        Assert.Equal(_root, root.RootPath);
        Assert.True(root.ReadOnly);
    }

    // ---- what must work ----

    [Theory]
    [InlineData("a.txt")]
    [InlineData("./a.txt")]
    [InlineData("sub/../a.txt")]
    [InlineData("sub/deeper/../../a.txt")]
    [InlineData("link-in")]
    [InlineData("sub/link-up")]
    [InlineData("sub//../a.txt")]
    public void In_root_paths_and_in_root_symlinks_open_the_file_with_one_canonical_key(string relativePath)
    {
        using var root = ServedRoot.Open(_root, readOnly: false);
        using var file = root.OpenFile(relativePath, writable: false);

        Assert.Equal(Path.Combine(_root, "a.txt"), file.CanonicalKey);
        Assert.Equal(file.CanonicalKey, root.CanonicalKey(file.Descriptor));
        Assert.Equal(relativePath, file.RelativePath);
        Assert.Equal(AContents.Length, file.Length);
        Assert.False(file.Writable);
    }

    [Fact]
    public void Different_files_have_different_canonical_keys()
    {
        using var root = ServedRoot.Open(_root, readOnly: true);
        using var a = root.OpenFile("a.txt", writable: false);
        using var b = root.OpenFile("sub/b.txt", writable: false);
        using var c = root.OpenFile("sub/deeper/c.txt", writable: false);
        Assert.Equal(3, new[] { a.CanonicalKey, b.CanonicalKey, c.CanonicalKey }.Distinct().Count());
        Assert.Equal(Path.Combine(_root, "sub", "deeper", "c.txt"), c.CanonicalKey);
    }

    [Fact]
    public void A_map_can_be_created_from_the_returned_descriptor_and_reads_the_file()
    {
        using var root = ServedRoot.Open(_root, readOnly: true);
        using var file = root.OpenFile("link-in", writable: false);

        using (var map = MemoryMap.FromFileDescriptor(file.Descriptor, 0, access: MmapAccess.Read))
        {
            Assert.Equal(AContents, map.Read());
        }
        using var mapped = file.Map();
        file.Dispose();
        // The map holds its own duplicate descriptor: closing the served file does not affect it.
        Assert.Equal(AContents, mapped.GetSlice(null, null));
        Assert.Equal(MmapAccess.Read, mapped.Access);
        Assert.Throws<ObjectDisposedException>(() => file.Descriptor);
        Assert.Throws<ObjectDisposedException>(() => file.Map());
    }

    [Fact]
    public void A_writable_open_of_a_writable_root_writes_through_a_shared_map()
    {
        using var root = ServedRoot.Open(_root, readOnly: false);
        using var file = root.OpenFile("sub/b.txt", writable: true);
        Assert.True(file.Writable);
        using (var map = file.Map())
        {
            map.Write("BEE"u8);
            map.Flush();
        }
        Assert.Equal("BEE\n", File.ReadAllText(Path.Combine(_root, "sub", "b.txt")));
    }

    [Fact]
    public void A_read_only_file_cannot_be_mapped_for_writing()
    {
        using var root = ServedRoot.Open(_root, readOnly: false);
        using var file = root.OpenFile("a.txt", writable: false);
        var error = Assert.Throws<MmapException>(() => file.Map(access: MmapAccess.Write));
        Assert.Equal(13, error.Errno);
    }

    // ---- escapes ----

    [Theory]
    [InlineData("../outside/secret.txt")]
    [InlineData("..")]
    [InlineData("sub/../../outside/secret.txt")]
    [InlineData("sub/deeper/../../../outside/x.txt")]
    [InlineData("evil")]
    [InlineData("evil-abs")]
    [InlineData("evil-dir/secret.txt")]
    [InlineData("evil-dir-abs/etc/passwd")]
    [InlineData("zero")]
    [InlineData("abs-in")]
    public void Paths_that_resolve_outside_the_root_are_refused_with_EXDEV(string relativePath)
    {
        using var root = ServedRoot.Open(_root, readOnly: false);
        foreach (bool writable in new[] { false, true })
        {
            var error = Assert.Throws<MmapException>(() => root.OpenFile(relativePath, writable));
            AssertOSError(error, 18, relativePath);
            Assert.Contains("resolves outside the served root", error.Message);
        }
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("/")]
    public void Absolute_paths_are_refused_with_EXDEV_before_the_kernel_is_asked(string relativePath)
    {
        using var root = ServedRoot.Open(_root, readOnly: false);
        var error = Assert.Throws<MmapException>(() => root.OpenFile(relativePath, writable: false));
        AssertOSError(error, 18, relativePath);
        Assert.Contains("is an absolute path", error.Message);
    }

    [Fact]
    public void A_symlink_loop_is_refused_with_ELOOP()
    {
        using var root = ServedRoot.Open(_root, readOnly: true);
        var error = Assert.Throws<MmapException>(() => root.OpenFile("loop1", writable: false));
        AssertOSError(error, 40, "loop1");
    }

    [Fact]
    public void A_proc_magic_link_is_refused_with_ELOOP_even_beneath_a_root_that_contains_it()
    {
        using var root = ServedRoot.Open(_root, readOnly: true);
        using var inRoot = root.OpenFile("a.txt", writable: false);
        using var proc = ServedRoot.Open("/proc", readOnly: true);
        string magic = $"self/fd/{inRoot.Descriptor}";

        var error = Assert.Throws<MmapException>(() => proc.OpenFile(magic, writable: false));
        AssertOSError(error, 40, magic);
        Assert.Contains("magic link", error.Message);
    }

    [Fact]
    public void Another_mount_beneath_the_root_is_refused_with_EXDEV()
    {
        // /proc is a separate mount beneath "/", as /proc, /sys or /dev would be if mounted inside a served root.
        using var root = ServedRoot.Open("/", readOnly: true);
        var error = Assert.Throws<MmapException>(() => root.OpenFile("proc/self/status", writable: false));
        AssertOSError(error, 18, "proc/self/status");
    }

    [Fact]
    public async Task A_race_that_swaps_a_directory_symlink_in_and_out_of_the_root_never_opens_the_outside_file()
    {
        // "swap" is atomically re-pointed (rename over it) between sub/ (inside) and ../outside (outside) while
        // opens of swap/x.txt run; both targets hold an x.txt. A check-then-open would sometimes read the secret.
        Link("swap", "sub");
        using var root = ServedRoot.Open(_root, readOnly: true);
        using var stop = new CancellationTokenSource();
        var swapper = Task.Run(() =>
        {
            string swap = Path.Combine(_root, "swap");
            string next = Path.Combine(_root, "swap.next");
            for (long i = 0; !stop.IsCancellationRequested; i++)
            {
                File.Delete(next);
                File.CreateSymbolicLink(next, i % 2 == 0 ? "../outside" : "sub");
                // rename(2) directly: File.Move follows the link and refuses a source that is a directory.
                Assert.Equal(0, Rename(next, swap));
            }
        });

        int opened = 0;
        int refused = 0;
        try
        {
            for (int i = 0; i < 3000; i++)
            {
                try
                {
                    using var file = root.OpenFile("swap/x.txt", writable: false);
                    using var map = file.Map();
                    Assert.Equal(AContents, map.Read());
                    Assert.Equal(Path.Combine(_root, "sub", "x.txt"), file.CanonicalKey);
                    opened++;
                }
                catch (MmapException error)
                {
                    Assert.Equal(18, error.Errno);
                    refused++;
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await swapper;
        }
        Assert.Equal(3000, opened + refused);
    }

    // ---- not regular files ----

    [Fact]
    public async Task A_FIFO_is_refused_with_ENODEV_without_blocking()
    {
        Assert.Equal(0, MakeFifo(Path.Combine(_root, "fifo"), 0x1b6 /* 0666 */));
        using var root = ServedRoot.Open(_root, readOnly: false);
        // O_NONBLOCK makes the open return at once; without it a read-only open of a FIFO waits for a writer.
        var refusals = await Task.Run(() => new[]
        {
            Assert.Throws<MmapException>(() => root.OpenFile("fifo", writable: false)),
            Assert.Throws<MmapException>(() => root.OpenFile("fifo", writable: true)),
        }).WaitAsync(TimeSpan.FromSeconds(30));
        foreach (var error in refusals)
        {
            AssertOSError(error, 19, "fifo");
            Assert.Contains("'fifo' is not a regular file (a FIFO)", error.Message);
        }
    }

    [Fact]
    public void A_unix_socket_is_refused_with_ENODEV()
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(Path.Combine(_root, "sock")));
        using var root = ServedRoot.Open(_root, readOnly: false);
        foreach (bool writable in new[] { false, true })
        {
            var error = Assert.Throws<MmapException>(() => root.OpenFile("sock", writable));
            AssertOSError(error, 19, "sock");
            Assert.Contains("is not a regular file", error.Message);
        }
    }

    [Fact]
    public void A_device_node_is_refused_with_ENODEV()
    {
        // A character device 1:5 (/dev/zero) inside the root when this process may create one (root with
        // CAP_MKNOD); otherwise the real /dev/zero, served from /dev.
        string directory = _root;
        try
        {
            if (MakeNode(Path.Combine(_root, "devzero"), 0x2000 /* S_IFCHR */ | 0x180, (1UL << 8) | 5) != 0)
            {
                directory = "/dev";
            }
        }
        catch (EntryPointNotFoundException)
        {
            directory = "/dev"; // glibc before 2.33 exports only __xmknod
        }
        string name = directory == "/dev" ? "zero" : "devzero";
        using var root = ServedRoot.Open(directory, readOnly: false);
        foreach (bool writable in new[] { false, true })
        {
            var error = Assert.Throws<MmapException>(() => root.OpenFile(name, writable));
            AssertOSError(error, 19, name);
            Assert.Contains("is not a regular file (a character device)", error.Message);
        }
    }

    [Theory]
    [InlineData("sub", false)]
    [InlineData("sub", true)]
    [InlineData(".", false)]
    [InlineData("sub/deeper/", false)]
    [InlineData("sub/deeper/..", true)]
    public void A_directory_is_refused_with_EISDIR(string relativePath, bool writable)
    {
        using var root = ServedRoot.Open(_root, readOnly: false);
        var error = Assert.Throws<MmapException>(() => root.OpenFile(relativePath, writable));
        AssertOSError(error, 21, relativePath);
        Assert.Equal("IsADirectoryError", error.PythonTypeName);
    }

    // ---- malformed paths ----

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void An_empty_path_is_refused_with_ENOENT(string? relativePath)
    {
        using var root = ServedRoot.Open(_root, readOnly: false);
        var error = Assert.Throws<MmapException>(() => root.OpenFile(relativePath!, writable: false));
        AssertOSError(error, 2, "");
        Assert.Contains("(the path is empty)", error.Message);
    }

    [Fact]
    public void A_path_with_a_NUL_is_refused_with_EINVAL_instead_of_being_cut_short()
    {
        using var root = ServedRoot.Open(_root, readOnly: false);
        var error = Assert.Throws<MmapException>(() => root.OpenFile("a.txt\0../../outside/secret.txt", writable: false));
        AssertOSError(error, 22, "a.txt\0../../outside/secret.txt");
        Assert.Contains(@"'a.txt\x00../../outside/secret.txt' contains a NUL byte", error.Message);
    }

    [Fact]
    public void A_path_with_an_unpaired_surrogate_is_refused_with_EINVAL()
    {
        using var root = ServedRoot.Open(_root, readOnly: false);
        var error = Assert.Throws<MmapException>(() => root.OpenFile("a\ud800.txt", writable: false));
        AssertOSError(error, 22, "a\ud800.txt");
        Assert.Contains("not valid Unicode", error.Message);
    }

    [Fact]
    public void A_path_longer_than_PATH_MAX_is_refused_with_ENAMETOOLONG_and_a_shortened_message()
    {
        using var root = ServedRoot.Open(_root, readOnly: false);
        string path = string.Concat(Enumerable.Repeat("sub/", 1100)) + "a.txt";
        var error = Assert.Throws<MmapException>(() => root.OpenFile(path, writable: false));
        Assert.Equal(MmapErrorKind.OSError, error.Kind);
        Assert.Equal(36, error.Errno);
        Assert.Contains("'sub/sub/sub/", error.Message);
        Assert.True(error.Message.Length < 300, error.Message);
    }

    [Fact]
    public void A_missing_file_is_refused_with_CPythons_message()
    {
        using var root = ServedRoot.Open(_root, readOnly: false);
        var error = Assert.Throws<MmapException>(() => root.OpenFile("sub/missing.txt", writable: false));
        Assert.Equal("[Errno 2] No such file or directory: 'sub/missing.txt'", error.Message);
        Assert.Equal(2, error.Errno);
    }

    [Fact]
    public void Control_characters_in_a_path_are_escaped_in_the_message()
    {
        using var root = ServedRoot.Open(_root, readOnly: false);
        var error = Assert.Throws<MmapException>(() => root.OpenFile("x\n[Errno 0] forged\u001b[2J'", writable: false));
        Assert.Equal(@"[Errno 2] No such file or directory: 'x\n[Errno 0] forged\x1b[2J\''", error.Message);
    }

    [Fact]
    public void A_file_whose_canonical_path_is_not_UTF8_is_refused_with_EILSEQ_rather_than_given_a_lossy_key()
    {
        // Two such files (latin-1 names differing in one byte) would both decode to "caf\uFFFD" and share a key.
        byte[] latin1Name = Encoding.Latin1.GetBytes(Path.Combine(_root, "caf\u00e9.bin") + "\0");
        Assert.Equal(0, Create(latin1Name, 0x180));
        try
        {
            // The link's own name is valid; its target is the raw latin-1 name.
            Assert.Equal(0, MakeSymlink(Encoding.Latin1.GetBytes("caf\u00e9.bin\0"), Encoding.UTF8.GetBytes(Path.Combine(_root, "cafe-link") + "\0")));
            using var root = ServedRoot.Open(_root, readOnly: true);

            var error = Assert.Throws<MmapException>(() => root.OpenFile("cafe-link", writable: false));
            Assert.Equal(MmapErrorKind.OSError, error.Kind);
            Assert.Equal(84, error.Errno);
            Assert.Equal(1, DescriptorsUnder(_parent)); // only the root
        }
        finally
        {
            // .NET cannot name this file, so Directory.Delete would leave it (and the temp tree) behind.
            Unlink(latin1Name);
        }
    }

    // ---- read-only roots ----

    [Theory]
    [InlineData("a.txt")]
    [InlineData("missing.txt")]
    [InlineData("../outside/secret.txt")]
    [InlineData("fifo")]
    public void A_read_only_root_refuses_every_writable_open_with_EACCES_before_looking_at_the_path(string relativePath)
    {
        using var root = ServedRoot.Open(_root, readOnly: true);
        var error = Assert.Throws<MmapException>(() => root.OpenFile(relativePath, writable: true));
        AssertOSError(error, 13, relativePath);
        Assert.Equal("PermissionError", error.PythonTypeName);
        Assert.Contains("(the served root is read-only)", error.Message);

        using var file = root.OpenFile("a.txt", writable: false);
        Assert.Equal(AContents.Length, file.Length);
    }

    // ---- descriptors ----

    [Fact]
    public void Refused_opens_leak_no_descriptor()
    {
        Assert.Equal(0, MakeFifo(Path.Combine(_root, "fifo"), 0x1b6));
        using var root = ServedRoot.Open(_root, readOnly: false);
        using var readOnlyRoot = ServedRoot.Open(_root, readOnly: true);
        int before = DescriptorsUnder(_parent);
        Assert.Equal(2, before); // the two roots

        for (int i = 0; i < 50; i++)
        {
            foreach (string path in new[] { "fifo", "sub", "evil", "evil-dir/secret.txt", "../outside/x.txt", "loop1", "missing" })
            {
                Assert.Throws<MmapException>(() => root.OpenFile(path, writable: i % 2 == 0));
            }
            Assert.Throws<MmapException>(() => readOnlyRoot.OpenFile("a.txt", writable: true));
            Assert.Throws<MmapException>(() => root.CreateFile("a.txt", 10, 100));
            Assert.Throws<MmapException>(() => root.CreateFile("sub/new.bin", 1000, 100));
            root.OpenFile("a.txt", writable: true).Dispose();
        }

        Assert.Equal(before, DescriptorsUnder(_parent));
        root.Dispose();
        readOnlyRoot.Dispose();
        Assert.Equal(0, DescriptorsUnder(_parent));
    }

    [Fact]
    public void A_disposed_root_refuses_opens_but_files_opened_before_stay_usable()
    {
        var root = ServedRoot.Open(_root, readOnly: true);
        using var file = root.OpenFile("a.txt", writable: false);
        root.Dispose();
        Assert.Throws<ObjectDisposedException>(() => root.OpenFile("a.txt", writable: false));
        using var map = file.Map();
        Assert.Equal(AContents, map.Read());
    }

    // ---- creating files ----

    [Fact]
    public void CreateFile_creates_a_regular_file_of_the_requested_length_with_mode_0644_less_the_umask()
    {
        using var root = ServedRoot.Open(_root, readOnly: false);
        using (var file = root.CreateFile("sub/new.bin", 8192, maxLength: 1 << 20))
        {
            Assert.True(file.Writable);
            Assert.Equal(8192, file.Length);
            Assert.Equal(Path.Combine(_root, "sub", "new.bin"), file.CanonicalKey);
            using var map = file.Map();
            map[8191] = 7;
        }
        string created = Path.Combine(_root, "sub", "new.bin");
        Assert.Equal(8192, new FileInfo(created).Length);
        Assert.Equal(7, File.ReadAllBytes(created)[8191]);
        // As touch and cp create files (issue #10): readable by others, never executable, writable by others only if
        // the umask allows it (it is 022 almost everywhere).
        var mode = File.GetUnixFileMode(created);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            mode & ~(UnixFileMode.GroupWrite | UnixFileMode.OtherWrite));

        using var atRoot = root.CreateFile("top.bin", 0, maxLength: 0);
        Assert.Equal(0, atRoot.Length);
    }

    [Fact]
    public void CreateFile_refuses_a_length_above_the_maximum_with_ValueError_and_creates_nothing()
    {
        using var root = ServedRoot.Open(_root, readOnly: false);
        var tooLong = Assert.Throws<MmapException>(() => root.CreateFile("big.bin", 1L << 40, maxLength: 1 << 20));
        Assert.Equal(MmapErrorKind.ValueError, tooLong.Kind);
        Assert.Equal("file length 1099511627776 is outside the allowed range 0..1048576", tooLong.Message);
        var negative = Assert.Throws<MmapException>(() => root.CreateFile("big.bin", -1, maxLength: 1 << 20));
        Assert.Equal(MmapErrorKind.ValueError, negative.Kind);
        Assert.False(File.Exists(Path.Combine(_root, "big.bin")));
    }

    [Theory]
    [InlineData("a.txt", 17)]
    [InlineData("dangling", 17)]
    [InlineData("link-in", 17)]
    [InlineData("../outside/new.bin", 18)]
    [InlineData("evil-dir/new.bin", 18)]
    [InlineData("/tmp/new.bin", 18)]
    [InlineData("sub/", 22)]
    [InlineData("sub/..", 22)]
    public void CreateFile_never_replaces_follows_or_escapes(string relativePath, int errno)
    {
        using var root = ServedRoot.Open(_root, readOnly: false);
        var error = Assert.Throws<MmapException>(() => root.CreateFile(relativePath, 10, 100));
        AssertOSError(error, errno, relativePath);
        Assert.False(File.Exists(Path.Combine(_outside, "new.bin")));
        Assert.False(File.Exists(Path.Combine(_root, "nowhere.txt")));
        Assert.Equal(AContents, File.ReadAllBytes(Path.Combine(_root, "a.txt")));
    }

    [Theory]
    [InlineData("missing-dir/new.bin", 2, "missing-dir/")]
    [InlineData("missing-dir/deeper/.new.bin.0123456789abcdef.part", 2, "missing-dir/deeper/")]
    [InlineData("a.txt/new.bin", 20, "a.txt/")]
    public void CreateFile_in_a_directory_that_does_not_exist_names_the_directory_not_the_file(string relativePath, int errno, string directory)
    {
        using var root = ServedRoot.Open(_root, readOnly: false);
        var error = Assert.Throws<MmapException>(() => root.CreateFile(relativePath, 10, 100));
        AssertOSError(error, errno, directory);
        Assert.Contains("no such directory", error.Message);
        // For an upload the file is a temporary name the user never chose: it is not what they need to hear about.
        Assert.DoesNotContain(relativePath[(relativePath.LastIndexOf('/') + 1)..], error.Message);
    }

    [Fact]
    public void CreateFile_on_a_read_only_root_is_refused_with_EACCES()
    {
        using var root = ServedRoot.Open(_root, readOnly: true);
        var error = Assert.Throws<MmapException>(() => root.CreateFile("new.bin", 10, 100));
        AssertOSError(error, 13, "new.bin");
        Assert.False(File.Exists(Path.Combine(_root, "new.bin")));
    }

    // ---- messages for what a test cannot provoke ----

    [Fact]
    public void A_kernel_without_openat2_fails_closed_with_a_clear_message()
    {
        var error = ServedRoot.DescribeOpenFailure(38, "a.txt");
        Assert.Equal(MmapErrorKind.OSError, error.Kind);
        Assert.Equal(38, error.Errno);
        Assert.StartsWith("[Errno 38] Function not implemented: openat2(2) is not available (Linux 5.6 or later is required)", error.Message);
        Assert.Contains("without race-free path resolution", error.Message);
    }

    private static void AssertOSError(MmapException error, int errno, string path)
    {
        Assert.Equal(MmapErrorKind.OSError, error.Kind);
        Assert.Equal(errno, error.Errno);
        Assert.StartsWith($"[Errno {errno}] {Marshal.GetPInvokeErrorMessage(errno)}: ", error.Message);
        Assert.Contains(ServedRoot.Quote(path), error.Message);
    }

    private void Link(string relativePath, string target) => File.CreateSymbolicLink(Path.Combine(_root, relativePath), target);

    /// <summary>Open descriptors of this process on <paramref name="directory"/> or anything beneath it.</summary>
    private static int DescriptorsUnder(string directory)
    {
        int count = 0;
        foreach (string fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target &&
                    (target == directory || target.StartsWith(directory + "/", StringComparison.Ordinal)))
                {
                    count++;
                }
            }
            catch (IOException)
            {
                // closed by another thread while enumerating
            }
        }
        return count;
    }

    /// <summary>creat(2) with a raw byte path (NUL-terminated), to make a name that is not valid UTF-8. Leaks
    /// nothing: the descriptor is closed at once.</summary>
    private static unsafe int Create(byte[] path, uint mode)
    {
        fixed (byte* bytes = path)
        {
            int fd = Creat(bytes, mode);
            return fd < 0 ? fd : CloseDescriptor(fd);
        }
    }

    private static unsafe int MakeSymlink(byte[] target, byte[] linkPath)
    {
        fixed (byte* targetBytes = target)
        fixed (byte* linkBytes = linkPath)
        {
            return Symlink(targetBytes, linkBytes);
        }
    }

    [LibraryImport("libc", EntryPoint = "symlink")]
    private static unsafe partial int Symlink(byte* target, byte* linkPath);

    private static unsafe void Unlink(byte[] path)
    {
        fixed (byte* bytes = path)
        {
            UnlinkRaw(bytes);
        }
    }

    [LibraryImport("libc", EntryPoint = "unlink")]
    private static unsafe partial int UnlinkRaw(byte* path);

    [LibraryImport("libc", EntryPoint = "creat")]
    private static unsafe partial int Creat(byte* path, uint mode);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int CloseDescriptor(int fd);

    [LibraryImport("libc", EntryPoint = "rename", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Rename(string from, string to);

    [LibraryImport("libc", EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MakeFifo(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "mknod", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MakeNode(string path, uint mode, ulong device);
}
