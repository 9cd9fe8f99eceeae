using MmapActors.Cluster;
using MmapActors.Native;

namespace MmapActors.Tests.Cluster;

/// <summary>The fence of a file's cluster owner (<see cref="OwnerLock"/>), directly: one open file description at a time
/// holds it, whatever process (here: one process, which an OFD lock tells apart as two members in one process).</summary>
public sealed class OwnerLockTests : IDisposable
{
    private const string Name = "fenced.bin";
    private readonly string _directory = Directory.CreateTempSubdirectory("mmap-owner-lock-").FullName;
    private readonly ServedRoot _root;

    public OwnerLockTests()
    {
        File.WriteAllBytes(Path.Combine(_directory, Name), new byte[4096]);
        _root = ServedRoot.Open(_directory, readOnly: false);
    }

    [Fact]
    public void The_lock_of_a_file_nobody_holds_is_taken_exclusive()
    {
        using var fence = OwnerLock.TryTake(_root, Name);

        Assert.NotNull(fence);
        Assert.False(fence.Shared);
        Assert.False(fence.Released);
    }

    [Fact]
    public void A_second_description_is_refused_while_the_first_holds_the_lock_even_in_the_same_process()
    {
        using var first = OwnerLock.TryTake(_root, Name);
        Assert.NotNull(first);

        Assert.Null(OwnerLock.TryTake(_root, Name));
        Assert.Null(OwnerLock.TryTake(_root, "./" + Name)); // another spelling of the same file
    }

    [Fact]
    public void Disposing_the_lock_releases_it_to_the_next_taker()
    {
        var first = OwnerLock.TryTake(_root, Name)!;
        first.Dispose();

        using var second = OwnerLock.TryTake(_root, Name);

        Assert.True(first.Released);
        Assert.NotNull(second);
    }

    [Fact]
    public void Closing_another_descriptor_of_the_file_keeps_the_lock_as_a_process_wide_posix_lock_would_not()
    {
        using var fence = OwnerLock.TryTake(_root, Name);
        // What every map's open and close does in the owner's process: a classic F_SETLK lock would be dropped here.
        File.ReadAllBytes(Path.Combine(_directory, Name));
        using (var other = _root.OpenFile(Name, writable: true))
        {
        }

        Assert.Null(OwnerLock.TryTake(_root, Name));
    }

    [Fact]
    public void A_users_own_lock_of_a_byte_range_of_the_file_does_not_meet_the_owners_lock()
    {
        using var user = _root.OpenFile(Name, writable: true);
        var range = new LibC.Flock { Type = LibC.F_WRLCK, Whence = LibC.SEEK_SET, Start = 0, Length = 1L << 40 };
        Assert.Equal(0, LibC.FcntlLock(user.Descriptor, LibC.F_OFD_SETLK, ref range));

        using var fence = OwnerLock.TryTake(_root, Name);

        Assert.NotNull(fence);
    }

    [Fact]
    public void A_file_the_member_can_only_read_is_locked_shared_which_still_keeps_a_writable_owner_out()
    {
        using var readOnlyRoot = ServedRoot.Open(_directory, readOnly: true);
        using var reader = OwnerLock.TryTake(readOnlyRoot, Name);
        Assert.NotNull(reader);
        Assert.True(reader.Shared);

        Assert.Null(OwnerLock.TryTake(_root, Name));
    }

    [Fact]
    public void A_missing_file_fails_with_the_error_its_open_meets_rather_than_a_refusal()
    {
        var e = Assert.Throws<MmapException>(() => OwnerLock.TryTake(_root, "missing.bin"));

        Assert.Equal(LibC.ENOENT, e.Errno);
    }

    [Fact]
    public void The_answer_to_an_open_that_waited_in_vain_is_typed_and_names_the_cause()
    {
        var error = OwnerLock.PreviousOwnerHolds("/srv/a.bin", TimeSpan.FromSeconds(3));

        Assert.Equal(MmapErrorCode.PreviousOwnerHoldsFile, error.Code);
        Assert.Equal(LibC.EAGAIN, error.Errno);
        Assert.Contains("previous cluster owner still holds its lock", error.Message);
    }

    public void Dispose()
    {
        _root.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
