using MmapActors.Actors;

namespace MmapActors.Tests.Actors;

/// <summary><see cref="StaleUploadSweeper"/>: which creates sweep, and that each directory is swept once.</summary>
public sealed class StaleUploadSweeperTests : IDisposable
{
    private const string Hex = "0123456789abcdef";
    private static readonly TimeSpan Age = TimeSpan.FromHours(1);

    private readonly string _root = Directory.CreateTempSubdirectory("stale-sweeper-").FullName;

    public StaleUploadSweeperTests() => Directory.CreateDirectory(Path.Combine(_root, "sub"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Creating_a_temporary_upload_sweeps_its_directory_once_per_process()
    {
        string first = Stale("sub", $".a.{Hex}.part");
        using var root = ServedRoot.Open(_root, readOnly: false);
        var sweeper = new StaleUploadSweeper(root, Age);

        Assert.Equal([$"sub/.a.{Hex}.part"], sweeper.BeforeCreate("sub/.new.fedcba9876543210.part")?.Removed);
        Assert.False(File.Exists(first));

        string second = Stale("sub", $".b.{Hex}.part");
        Assert.Null(sweeper.BeforeCreate("sub/.other.fedcba9876543210.part"));
        Assert.Null(sweeper.BeforeCreate("./sub//.other.fedcba9876543210.part"));
        Assert.True(File.Exists(second));
    }

    [Fact]
    public void Creating_an_ordinary_file_sweeps_nothing()
    {
        string stale = Stale("sub", $".a.{Hex}.part");
        using var root = ServedRoot.Open(_root, readOnly: false);
        var sweeper = new StaleUploadSweeper(root, Age);

        Assert.Null(sweeper.BeforeCreate("sub/plain.bin"));
        Assert.Null(sweeper.BeforeCreate("sub/x.part"));
        Assert.True(File.Exists(stale));
        Assert.Equal(0, sweeper.RememberedDirectories);
    }

    [Fact]
    public void The_root_is_swept_once_and_an_upload_into_it_later_does_not_sweep_it_again()
    {
        string first = Stale("", $".a.{Hex}.part");
        using var root = ServedRoot.Open(_root, readOnly: false);
        var sweeper = new StaleUploadSweeper(root, Age);

        Assert.Single(sweeper.SweepRoot()!.Removed);
        Assert.False(File.Exists(first));
        string second = Stale("", $".b.{Hex}.part");
        Assert.Null(sweeper.BeforeCreate($".new.{Hex}.part"));
        Assert.True(File.Exists(second));
    }

    [Fact]
    public void A_directory_that_cannot_be_swept_throws_and_is_tried_again_next_time()
    {
        using var root = ServedRoot.Open(_root, readOnly: false);
        var sweeper = new StaleUploadSweeper(root, Age);

        Assert.Equal(2, Assert.Throws<MmapException>(() => sweeper.BeforeCreate($"later/.x.{Hex}.part")).Errno);
        Assert.Equal(18, Assert.Throws<MmapException>(() => sweeper.BeforeCreate($"../.x.{Hex}.part")).Errno);
        Assert.Equal(0, sweeper.RememberedDirectories);

        Directory.CreateDirectory(Path.Combine(_root, "later"));
        string stale = Stale("later", $".a.{Hex}.part");
        Assert.Single(sweeper.BeforeCreate($"later/.x.{Hex}.part")!.Removed);
        Assert.False(File.Exists(stale));
    }

    [Fact]
    public void The_memory_of_swept_directories_is_bounded()
    {
        foreach (string directory in (string[])["d0", "d1", "d2"])
        {
            Directory.CreateDirectory(Path.Combine(_root, directory));
        }
        using var root = ServedRoot.Open(_root, readOnly: false);
        var sweeper = new StaleUploadSweeper(root, Age, maxRememberedDirectories: 3);
        Assert.NotNull(sweeper.BeforeCreate($"d0/.x.{Hex}.part"));
        Assert.NotNull(sweeper.BeforeCreate($"d1/.x.{Hex}.part"));
        Assert.NotNull(sweeper.BeforeCreate($"d2/.x.{Hex}.part"));
        Assert.Null(sweeper.BeforeCreate($"d0/.y.{Hex}.part"));
        Assert.Equal(3, sweeper.RememberedDirectories);

        // A fourth directory: the memory is dropped rather than grown, so d0 is swept again when next used.
        Assert.NotNull(sweeper.BeforeCreate($"sub/.x.{Hex}.part"));
        Assert.Equal(1, sweeper.RememberedDirectories);
        string stale = Stale("d0", $".a.{Hex}.part");
        Assert.Single(sweeper.BeforeCreate($"d0/.x.{Hex}.part")!.Removed);
        Assert.False(File.Exists(stale));
    }

    [Fact]
    public void A_zero_age_or_a_read_only_root_never_sweeps()
    {
        string stale = Stale("sub", $".a.{Hex}.part");
        using var root = ServedRoot.Open(_root, readOnly: false);
        using var readOnly = ServedRoot.Open(_root, readOnly: true);

        Assert.False(new StaleUploadSweeper(root, TimeSpan.Zero).Enabled);
        Assert.Null(new StaleUploadSweeper(root, TimeSpan.Zero).BeforeCreate($"sub/.x.{Hex}.part"));
        Assert.Null(new StaleUploadSweeper(readOnly, Age).SweepRoot());
        Assert.True(File.Exists(stale));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StaleUploadSweeper(root, TimeSpan.FromSeconds(-1)));
    }

    private string Stale(string directory, string name)
    {
        string path = Path.Combine(_root, directory, name);
        File.WriteAllText(path, "half an upload");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddHours(-2));
        return path;
    }
}
