using Akka.Configuration;
using MmapActors.Actors;
using MmapActors.Owner;
using MmapActors.Protocol;

namespace MmapActors.Tests.Actors;

/// <summary><c>mmap.limits.min-free-disk</c>: its syntax, the floor's arithmetic, and the owner's resize asking it, with a
/// free-space probe the test controls (DiskFloorTmpfsTests measure a real filesystem).</summary>
public sealed class DiskFloorTests
{
    private const long MiB = 1 << 20;

    /// <summary>A filesystem whose free space the test sets; counts the looks.</summary>
    private sealed class FakeDisk(long available, long total) : IFreeSpaceProbe
    {
        public long Available { get; set; } = available;

        public int Probes { get; private set; }

        public int Probe(int fd, out long free, out long size) => Probe(out free, out size);

        public int Probe(string path, out long free, out long size) => Probe(out free, out size);

        private int Probe(out long free, out long size)
        {
            Probes++;
            free = Available;
            size = total;
            return 0;
        }
    }

    private static MinFreeDisk Parse(string value) =>
        MmapSettings.Create(ConfigurationFactory.ParseString($"mmap.limits.min-free-disk = {value}")
            .WithFallback(MmapSettings.DefaultConfig).GetConfig("mmap")).MinFreeDisk;

    [Theory]
    [InlineData("0", 0L, 0.0)]
    [InlineData("1GiB", 1L << 30, 0.0)]
    [InlineData("512MiB", 512L << 20, 0.0)]
    [InlineData("4096", 4096L, 0.0)]
    [InlineData("\"5%\"", 0L, 5.0)]
    [InlineData("5%", 0L, 5.0)]
    [InlineData("\"0.5%\"", 0L, 0.5)]
    public void The_floor_is_a_byte_size_or_a_percentage_of_the_filesystem(string value, long bytes, double percent)
    {
        var floor = Parse(value);

        Assert.Equal(bytes, floor.Bytes);
        Assert.Equal(percent, floor.Percent);
        Assert.Equal(bytes == 0 && percent == 0, floor.IsOff);
    }

    [Theory]
    [InlineData("lots")]
    [InlineData("\"100%\"")]
    [InlineData("\"-1%\"")]
    [InlineData("\"abc%\"")]
    [InlineData("-1")]
    public void A_floor_that_is_neither_is_refused_when_the_settings_are_read(string value)
    {
        var e = Assert.Throws<ConfigurationException>(() => Parse(value));
        Assert.Contains("min-free-disk", e.Message);
    }

    [Fact]
    public void The_library_leaves_the_floor_off_and_a_server_keeps_one_gibibyte()
    {
        Assert.True(MmapSettings.Create(MmapSettings.DefaultConfig.GetConfig("mmap")).MinFreeDisk.IsOff);
        var server = MmapSettings.Create(MmapActors.Remote.RemoteConfig.Server.WithFallback(MmapSettings.DefaultConfig).GetConfig("mmap"));
        Assert.Equal(1L << 30, server.MinFreeDisk.Bytes);
    }

    [Fact]
    public void Growth_that_would_leave_less_than_the_floor_is_ENOSPC_naming_the_floor_and_the_setting()
    {
        var disk = new FakeDisk(available: 100 * MiB, total: 1000 * MiB);
        var floor = new DiskFloor(MinFreeDisk.FromBytes(10 * MiB), disk);

        floor.Admit(0, 90 * MiB, "growing the file by 90 MiB").Dispose();
        var e = Assert.Throws<MmapException>(() => floor.Admit(0, 90 * MiB + 1, "growing the file by 90 MiB and a byte"));

        Assert.Equal(MmapErrorKind.OSError, e.Kind);
        Assert.Equal(28, e.Errno);
        Assert.Equal(MmapErrorCode.LimitExceeded, e.Code);
        Assert.StartsWith("[Errno 28] No space left on device: growing the file by 90 MiB and a byte", e.Message);
        Assert.Contains("10485760", e.Message);
        Assert.Contains("mmap.limits.min-free-disk", e.Message);
        Assert.Equal(MmapActors.Diagnostics.MmapRefusals.Limit, MmapActors.Diagnostics.MmapRefusals.Classify(e)); // a refusal, not a failure
        Assert.Equal(0, floor.InFlight);
    }

    [Fact]
    public void A_percentage_floor_is_measured_against_the_filesystem_size()
    {
        var disk = new FakeDisk(available: 100 * MiB, total: 1000 * MiB);
        var floor = new DiskFloor(MinFreeDisk.FromPercent(5), disk); // 50 MiB of this filesystem

        floor.Admit(0, 50 * MiB, "growing").Dispose();
        Assert.Equal(28, Assert.Throws<MmapException>(() => floor.Admit("/x", 50 * MiB + 1, "creating")).Errno);
    }

    [Fact]
    public void Growth_admitted_and_still_in_flight_counts_as_taken_until_it_is_done()
    {
        var disk = new FakeDisk(available: 100 * MiB, total: 1000 * MiB);
        var floor = new DiskFloor(MinFreeDisk.FromBytes(10 * MiB), disk);

        using (floor.Admit(0, 60 * MiB, "first"))
        {
            // The free space has not moved yet (the first growth is still allocating): the second must not pass on it.
            Assert.Equal(28, Assert.Throws<MmapException>(() => floor.Admit(0, 40 * MiB, "second")).Errno);
            Assert.Equal(60 * MiB, floor.InFlight);
        }
        floor.Admit(0, 40 * MiB, "second, once the first is done").Dispose();
        Assert.Equal(0, floor.InFlight);
    }

    [Fact]
    public void A_growth_of_any_size_is_refused_without_disturbing_the_growth_in_flight()
    {
        var floor = new DiskFloor(MinFreeDisk.FromBytes(10 * MiB), new FakeDisk(available: 100 * MiB, total: 1000 * MiB));

        using (floor.Admit(0, 50 * MiB, "first"))
        {
            Assert.Equal(28, Assert.Throws<MmapException>(() => floor.Admit(0, long.MaxValue, "everything")).Errno);
            Assert.Equal(50 * MiB, floor.InFlight);
            floor.Admit(0, 40 * MiB, "the rest above the floor").Dispose();
        }
        Assert.Equal(0, floor.InFlight);
    }

    [Fact]
    public void With_the_floor_off_nothing_is_ever_measured()
    {
        var disk = new FakeDisk(available: 0, total: 1000 * MiB);
        var floor = new DiskFloor(MinFreeDisk.Off, disk);

        floor.Admit(0, long.MaxValue, "anything").Dispose();
        Assert.Equal(0, disk.Probes);
    }

    [Fact]
    public void A_resize_crossing_the_floor_is_refused_and_leaves_the_file_and_every_handle_as_they_were()
    {
        using var temp = new TempFile(64 * 1024);
        var disk = new FakeDisk(available: 11 * MiB, total: 1000 * MiB);
        var settings = OwnerTestSettings.Default with { MinFreeDisk = MinFreeDisk.FromBytes(10 * MiB) };
        var budget = new ResourceBudget(settings, disk);
        var file = new SharedFile(temp.Path, temp.Path, null, settings, budget);
        var a = file.Open(new MapOptions(temp.Path), "a");
        var b = file.Open(new MapOptions(temp.Path), "b");

        var refused = Assert.IsType<MmapError>(file.Execute(a.Id, new Resize(64 * 1024 + 2 * MiB)));

        Assert.Equal(28, refused.Errno);
        Assert.Equal(MmapErrorCode.LimitExceeded, refused.Code);
        Assert.Equal(64 * 1024, new FileInfo(temp.Path).Length);
        Assert.Equal(64 * 1024, Assert.IsType<NumberReply>(file.Execute(b.Id, Size.Instance)).Value);
        Assert.Equal(2 * 64 * 1024, budget.MappedBytes);
        Assert.Equal(0, budget.Disk.InFlight);
        // Growth that fits above the floor goes through.
        Assert.IsType<Done>(file.Execute(a.Id, new Resize(64 * 1024 + MiB / 2)));
        Assert.Equal(64 * 1024 + MiB / 2, new FileInfo(temp.Path).Length);
    }

    [Fact]
    public void Shrinking_writing_and_a_resize_inside_the_file_never_measure_the_disk_even_below_the_floor()
    {
        using var temp = new TempFile(64 * 1024);
        var disk = new FakeDisk(available: 0, total: 1000 * MiB); // already below any floor
        var settings = OwnerTestSettings.Default with { MinFreeDisk = MinFreeDisk.FromBytes(10 * MiB) };
        var file = new SharedFile(temp.Path, temp.Path, null, settings, new ResourceBudget(settings, disk));
        var whole = file.Open(new MapOptions(temp.Path), "a");
        var window = file.Open(new MapOptions(temp.Path, 4096), "b"); // the first page of a longer file

        Assert.IsType<Done>(file.Execute(whole.Id, new WriteAt(100, [1, 2, 3])));
        Assert.IsType<Done>(file.Execute(whole.Id, new Resize(32 * 1024)));
        // A window growing inside the file makes it no longer (as in CPython, the file ends where the map does).
        Assert.IsType<Done>(file.Execute(window.Id, new Resize(8192)));
        Assert.IsType<BytesReply>(file.Execute(window.Id, new ReadAt(0, 16)));

        Assert.Equal(0, disk.Probes);
        Assert.Equal(8192, new FileInfo(temp.Path).Length);
    }
}
