using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace MmapActors.Tests.Engine;

/// <summary>
/// <see cref="ServedRoot.SweepStaleUploads"/>: what a killed server's uploads leave behind goes, and nothing else ever
/// does. Each test builds its own tree: <c>parent/root</c> (served, with <c>sub/</c>) and <c>parent/outside</c>.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed partial class ServedRootStaleUploadTests : IDisposable
{
    private const string Hex = "0123456789abcdef";
    private static readonly TimeSpan Age = TimeSpan.FromHours(1);

    private readonly string _parent;
    private readonly string _root;
    private readonly string _outside;

    public ServedRootStaleUploadTests()
    {
        _parent = Directory.CreateTempSubdirectory("stale-uploads-").FullName;
        _root = Path.Combine(_parent, "root");
        _outside = Path.Combine(_parent, "outside");
        Directory.CreateDirectory(Path.Combine(_root, "sub"));
        Directory.CreateDirectory(_outside);
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

    [Fact]
    public void A_stale_temporary_upload_is_removed_and_a_fresh_one_is_kept()
    {
        string stale = Stale(Path.Combine(_root, $".big.bin.{Hex}.part"));
        string fresh = Path.Combine(_root, ".big.bin.fedcba9876543210.part");
        File.WriteAllText(fresh, "still arriving");
        string target = Stale(Path.Combine(_root, "big.bin"));

        using var root = ServedRoot.Open(_root, readOnly: false);
        var sweep = root.SweepStaleUploads("", Age);

        Assert.Equal([$".big.bin.{Hex}.part"], sweep.Removed);
        Assert.False(sweep.Truncated);
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(fresh));
        Assert.True(File.Exists(target));
    }

    [Fact]
    public void An_age_longer_than_the_calendar_removes_nothing_and_does_not_throw()
    {
        string stale = Stale(Path.Combine(_root, $".big.bin.{Hex}.part"));

        using var root = ServedRoot.Open(_root, readOnly: false);
        var sweep = root.SweepStaleUploads("", TimeSpan.MaxValue);

        Assert.Empty(sweep.Removed);
        Assert.True(File.Exists(stale));
    }

    [Fact]
    public void A_sweep_of_a_subdirectory_names_what_it_removed_relative_to_the_root()
    {
        string stale = Stale(Path.Combine(_root, "sub", $".x.{Hex}.part"));

        using var root = ServedRoot.Open(_root, readOnly: false);

        Assert.Equal([$"sub/.x.{Hex}.part"], root.SweepStaleUploads("sub/", Age).Removed);
        Assert.False(File.Exists(stale));
    }

    [Theory]
    [InlineData("x.part")]
    [InlineData($"x.{Hex}.part")]
    [InlineData($".{Hex}.part")]
    [InlineData(".x.0123456789abcde.part")]
    [InlineData(".x.0123456789ABCDEF.part")]
    [InlineData(".x.0123456789abcdeg.part")]
    [InlineData($".x.{Hex}.partial")]
    [InlineData($".x.{Hex}.part.bak")]
    [InlineData($".x.{Hex}")]
    public void A_stale_file_not_named_exactly_like_a_temporary_upload_is_kept(string name)
    {
        string file = Stale(Path.Combine(_root, name));

        using var root = ServedRoot.Open(_root, readOnly: false);

        Assert.Empty(root.SweepStaleUploads("", Age).Removed);
        Assert.True(File.Exists(file));
    }

    [Fact]
    public void A_symlink_named_like_a_temporary_upload_is_kept_and_its_stale_target_untouched()
    {
        string target = Stale(Path.Combine(_outside, $".t.{Hex}.part"));
        string inRootTarget = Stale(Path.Combine(_root, "data.bin"));
        string link = Path.Combine(_root, $".link.{Hex}.part");
        string inRootLink = Path.Combine(_root, ".link2.fedcba9876543210.part");
        File.CreateSymbolicLink(link, target);
        File.CreateSymbolicLink(inRootLink, "data.bin");

        using var root = ServedRoot.Open(_root, readOnly: false);

        Assert.Empty(root.SweepStaleUploads("", Age).Removed);
        Assert.NotNull(new FileInfo(link).LinkTarget);
        Assert.NotNull(new FileInfo(inRootLink).LinkTarget);
        Assert.True(File.Exists(target));
        Assert.True(File.Exists(inRootTarget));
    }

    [Fact]
    public void A_directory_or_FIFO_named_like_a_temporary_upload_is_kept()
    {
        string directory = Path.Combine(_root, $".d.{Hex}.part");
        Directory.CreateDirectory(directory);
        Directory.SetLastWriteTimeUtc(directory, DateTime.UtcNow.AddDays(-1));
        string fifo = Path.Combine(_root, ".f.fedcba9876543210.part");
        Assert.Equal(0, MakeFifo(fifo, 0x180));
        File.SetLastWriteTimeUtc(fifo, DateTime.UtcNow.AddDays(-1));

        using var root = ServedRoot.Open(_root, readOnly: false);

        Assert.Empty(root.SweepStaleUploads("", Age).Removed);
        Assert.True(Directory.Exists(directory));
        Assert.True(File.Exists(fifo));
    }

    [Fact]
    public void A_sweep_does_not_reach_into_subdirectories()
    {
        string nested = Stale(Path.Combine(_root, "sub", $".x.{Hex}.part"));

        using var root = ServedRoot.Open(_root, readOnly: false);

        Assert.Empty(root.SweepStaleUploads("", Age).Removed);
        Assert.True(File.Exists(nested));
    }

    [Fact]
    public void A_directory_outside_the_root_is_refused_like_every_path_and_left_alone()
    {
        string outsider = Stale(Path.Combine(_outside, $".x.{Hex}.part"));
        File.CreateSymbolicLink(Path.Combine(_root, "escape"), _outside);
        File.CreateSymbolicLink(Path.Combine(_root, "escape-relative"), "../outside");

        using var root = ServedRoot.Open(_root, readOnly: false);

        Assert.Equal(18, Assert.Throws<MmapException>(() => root.SweepStaleUploads("../outside", Age)).Errno);
        Assert.Equal(18, Assert.Throws<MmapException>(() => root.SweepStaleUploads("escape", Age)).Errno);
        Assert.Equal(18, Assert.Throws<MmapException>(() => root.SweepStaleUploads("escape-relative", Age)).Errno);
        Assert.Equal(18, Assert.Throws<MmapException>(() => root.SweepStaleUploads(_outside, Age)).Errno);
        Assert.Equal(2, Assert.Throws<MmapException>(() => root.SweepStaleUploads("missing", Age)).Errno);
        Assert.True(File.Exists(outsider));
    }

    [Fact]
    public void A_read_only_root_removes_nothing()
    {
        string stale = Stale(Path.Combine(_root, $".x.{Hex}.part"));

        using var root = ServedRoot.Open(_root, readOnly: true);

        Assert.Same(StaleUploadSweep.None, root.SweepStaleUploads("", Age));
        Assert.True(File.Exists(stale));
    }

    [Fact]
    public void A_zero_age_sweeps_nothing_and_a_negative_one_is_refused()
    {
        string stale = Stale(Path.Combine(_root, $".x.{Hex}.part"));

        using var root = ServedRoot.Open(_root, readOnly: false);

        Assert.Empty(root.SweepStaleUploads("", TimeSpan.Zero).Removed);
        Assert.True(File.Exists(stale));
        Assert.Throws<ArgumentOutOfRangeException>(() => root.SweepStaleUploads("", TimeSpan.FromSeconds(-1)));
        Assert.True(File.Exists(stale));
    }

    [Fact]
    public void A_huge_directory_is_swept_only_as_far_as_the_bound_and_says_so()
    {
        string crowded = Path.Combine(_root, "crowded");
        Directory.CreateDirectory(crowded);
        for (int i = 0; i < ServedRoot.MaxSweepEntries + 100; i++)
        {
            Stale(Path.Combine(crowded, $".f{i}.{Hex}.part"));
        }

        using var root = ServedRoot.Open(_root, readOnly: false);
        var sweep = root.SweepStaleUploads("crowded", Age);

        Assert.True(sweep.Truncated);
        Assert.Equal(ServedRoot.MaxSweepEntries, sweep.Removed.Count);
        Assert.Equal(100, Directory.GetFiles(crowded).Length);
    }

    /// <summary>Creates <paramref name="path"/> (a few bytes, as an interrupted upload holds) dated two hours ago.</summary>
    private static string Stale(string path)
    {
        File.WriteAllText(path, "half an upload");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddHours(-2));
        return path;
    }

    [LibraryImport("libc", EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MakeFifo(string path, uint mode);
}
