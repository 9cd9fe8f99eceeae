using Akka.TestKit.Xunit2;
using MmapActors.Actors;
using MmapActors.Protocol;
using Xunit.Abstractions;

namespace MmapActors.Tests.Actors;

/// <summary>
/// The documented, copyable example of testing with messages (README, "Testing with messages"): a TestProbe plays
/// the client, talks to the supervisor and to a file's owner with protocol messages, and asserts the replies.
/// Nothing here sleeps: every wait is an ExpectMsg with a deadline.
/// </summary>
public sealed class OwnerMessagingExampleTests(ITestOutputHelper output) : TestKit("akka.loglevel = WARNING", output)
{
    [Fact]
    public void A_probe_opens_a_file_writes_reads_and_gets_errors_as_replies()
    {
        using var file = new TempFile("hello, mapped world\n"u8.ToArray());
        var supervisor = MmapExtension.Get(Sys).Supervisor;
        var client = CreateTestProbe();

        // Open: the supervisor finds or creates the file's owner and the owner replies with a handle.
        supervisor.Tell(new OpenMap(new MapOptions(file.Path), client.Ref), client.Ref);
        var opened = client.ExpectMsg<MapOpened>();
        Assert.Equal(MmapAccess.Default, opened.Access);

        // Every operation is a MapRequest to the owner; every reply is a MapReply.
        opened.Owner.Tell(new MapRequest(opened.HandleId, new WriteAt(7, "MAPPED"u8.ToArray())), client.Ref);
        client.ExpectMsg<Done>();

        opened.Owner.Tell(new MapRequest(opened.HandleId, new ReadAt(0, 13)), client.Ref);
        Assert.Equal("hello, MAPPED"u8.ToArray(), client.ExpectMsg<BytesReply>().Data);

        // Python's errors come back as data, with CPython's class and message.
        opened.Owner.Tell(new MapRequest(opened.HandleId, new Seek(1000)), client.Ref);
        var error = client.ExpectMsg<MmapError>();
        Assert.Equal(MmapErrorKind.ValueError, error.Kind);
        Assert.Equal("seek out of range", error.Message);

        // A batch runs in one turn of the owner and stops at the first error.
        opened.Owner.Tell(new MapRequest(opened.HandleId, new Batch([new Seek(7), new Read(6), new ReadByte()])), client.Ref);
        var batch = client.ExpectMsg<BatchReply>();
        Assert.True(batch.Succeeded);
        Assert.Equal("MAPPED"u8.ToArray(), ((BytesReply)batch.Results[1]).Data);
        Assert.Equal((long)' ', ((NumberReply)batch.Results[2]).Value);

        opened.Owner.Tell(new MapRequest(opened.HandleId, Close.Instance), client.Ref);
        client.ExpectMsg<Done>();
        opened.Owner.Tell(new MapRequest(opened.HandleId, Tell.Instance), client.Ref);
        Assert.Equal("mmap closed or invalid", client.ExpectMsg<MmapError>().Message);
        Assert.Equal("hello, MAPPED world\n"u8.ToArray(), file.ReadAll());
    }

    [Fact]
    public void Opening_a_missing_file_replies_FileNotFoundError()
    {
        using var file = new TempFile(16);
        var client = CreateTestProbe();
        var missing = Path.Combine(file.Directory, "missing.bin");

        MmapExtension.Get(Sys).Supervisor.Tell(new OpenMap(new MapOptions(missing), client.Ref), client.Ref);

        var error = client.ExpectMsg<MmapError>();
        Assert.Equal(MmapErrorKind.OSError, error.Kind);
        Assert.Equal(2, error.Errno);
        Assert.Equal($"[Errno 2] No such file or directory: '{missing}'", error.Message);
    }
}
