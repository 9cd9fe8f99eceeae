using MmapActors.Protocol;
using MmapActors.Remote.Server;

namespace MmapActors.Tests.Remote;

/// <summary>The unfinished uploads of one session: its own it may use and see, no other temporary name.</summary>
public sealed class SessionUploadsTests
{
    private const string Mine = "dir/.a.bin.0123456789abcdef.part";
    private const string Theirs = "dir/.a.bin.fedcba9876543210.part";

    [Fact]
    public void A_temporary_name_the_session_did_not_create_is_forbidden_in_every_request_that_names_a_file()
    {
        var uploads = new SessionUploads(4);
        uploads.Claim(Mine);

        Assert.Equal(Theirs, uploads.Forbidden(new StatFile(Theirs)));
        Assert.Equal(Theirs, uploads.Forbidden(new OpenMap(new MapOptions(Theirs), Akka.Actor.ActorRefs.Nobody)));
        Assert.Equal(Theirs, uploads.Forbidden(new ListDirectory(Theirs)));
        Assert.Equal(Theirs, uploads.Forbidden(new CommitFile(Theirs, "dir/a.bin")));
        Assert.Equal(Theirs, uploads.Forbidden(new CommitFile(Theirs, "dir/a.bin", Discard: true)));
        Assert.Equal(Theirs, uploads.Forbidden(new CommitFile(Mine, Theirs))); // its own upload renamed over theirs
        Assert.Equal(Theirs, uploads.Forbidden(new OpenDataPlane(Theirs, 0, 1, Write: false)));
        Assert.Equal("./" + Mine, uploads.Forbidden(new StatFile("./" + Mine))); // only as it was created
    }

    [Fact]
    public void A_request_naming_an_upload_whose_create_is_unanswered_waits_and_is_then_decided_by_the_outcome()
    {
        var uploads = new SessionUploads(4);
        var discard = new CommitFile(Mine, "dir/a.bin", Discard: true);
        uploads.CreateSent(Mine);

        Assert.True(uploads.WaitsForCreate(discard)); // the interrupted client's discard, sent before the create's answer
        Assert.False(uploads.WaitsForCreate(new CommitFile(Theirs, "dir/a.bin", Discard: true)));
        uploads.CreateAnswered(Mine, succeeded: true);
        Assert.False(uploads.WaitsForCreate(discard));
        Assert.Null(uploads.Forbidden(discard));

        uploads.CreateSent(Theirs);
        uploads.CreateAnswered(Theirs, succeeded: false); // EEXIST: someone else's upload stays someone else's
        Assert.Equal(Theirs, uploads.Forbidden(new CommitFile(Theirs, "dir/a.bin")));
    }

    [Fact]
    public void The_sessions_own_uploads_and_ordinary_names_are_allowed_but_no_data_plane_ticket_for_an_upload()
    {
        var uploads = new SessionUploads(4);
        uploads.Claim(Mine);

        Assert.Null(uploads.Forbidden(new StatFile(Mine)));
        Assert.Null(uploads.Forbidden(new OpenMap(new MapOptions(Mine), Akka.Actor.ActorRefs.Nobody)));
        Assert.Null(uploads.Forbidden(new CommitFile(Mine, "dir/a.bin")));
        Assert.Null(uploads.Forbidden(new CreateFile(Theirs, 0))); // a new upload (an existing name fails with EEXIST)
        Assert.Null(uploads.Forbidden(new StatFile("dir/a.bin")));
        Assert.Null(uploads.Forbidden(new OpenMap(MapOptions.Anonymous(4096), Akka.Actor.ActorRefs.Nobody)));
        Assert.Null(uploads.Forbidden(new StatFile("dir/.a.bin.0123456789ABCDEF.part"))); // not the form: an ordinary name
        Assert.Equal(Mine, uploads.Forbidden(new OpenDataPlane(Mine, 0, 1, Write: true)));
    }

    [Fact]
    public void A_committed_or_discarded_upload_is_no_longer_the_sessions()
    {
        var uploads = new SessionUploads(4);
        uploads.Claim(Mine);

        uploads.Release(Mine);

        Assert.Equal(Mine, uploads.Forbidden(new StatFile(Mine)));
        Assert.Empty(uploads.Unfinished);
    }

    [Fact]
    public void A_listing_hides_other_temporary_names_and_keeps_its_own_and_ordinary_ones()
    {
        var uploads = new SessionUploads(4);
        uploads.Claim(Mine);
        var listing = new DirectoryListing([
            new DirectoryEntry("a.bin", 1, "file"),
            new DirectoryEntry(".hidden", 1, "file"),
            new DirectoryEntry(".a.bin.0123456789abcdef.part", 1, "file"),
            new DirectoryEntry(".a.bin.fedcba9876543210.part", 1, "file"),
        ]);

        var shown = uploads.Hide(listing).Entries.Select(e => e.Name);

        Assert.Equal(["a.bin", ".hidden", ".a.bin.0123456789abcdef.part"], shown);
    }

    [Fact]
    public void New_uploads_past_the_capacity_are_refused_and_other_creates_are_not()
    {
        var uploads = new SessionUploads(1);
        Assert.False(uploads.IsFull(new CreateFile(Theirs, 0)));
        uploads.Claim(Mine);
        uploads.Claim("plain.bin"); // not an upload: not counted

        Assert.True(uploads.IsFull(new CreateFile(Theirs, 0)));
        Assert.False(uploads.IsFull(new CreateFile("plain.bin", 0)));
        Assert.Single(uploads.Unfinished);
    }
}
