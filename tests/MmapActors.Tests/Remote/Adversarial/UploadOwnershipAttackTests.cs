using System.Net;
using Akka.TestKit.Xunit2;
using MmapActors.Protocol;
using MmapActors.Remote;

namespace MmapActors.Tests.Remote.Adversarial;

/// <summary>
/// An unfinished upload (<c>.name.&lt;16 hex&gt;.part</c>, from <c>mmapctl put</c> through a session or from an HTTP
/// whole-file PUT) belongs to the session that created it: another peer that knows or guesses its name cannot list,
/// stat, open, write, fetch a ticket for, commit, discard or replace it (each answered as if it did not exist, ENOENT),
/// and the honest upload completes with its own bytes.
/// </summary>
public sealed class UploadOwnershipAttackTests : TestKit
{
    private static readonly byte[] Old = "old contents"u8.ToArray();

    [Fact]
    public async Task Another_session_cannot_commit_an_upload_in_progress_over_its_target()
    {
        await using var server = await AttackedServer.StartAsync();
        server.Write("target.bin", Old);
        string temporary = ServedRoot.TemporaryNameFor("target.bin");
        byte[] body = Body(128 << 10);
        await server.Honest.CreateFileAsync(temporary, body.Length);
        await using var upload = await server.Honest.OpenAsync(temporary);
        await upload.WriteAtAsync(0, body.AsMemory(0, 64 << 10).ToArray()); // half way
        await using var attacker = await MmapRemote.ConnectAsync(server.Server.Address.ToString(), "akka.loglevel = ERROR");

        var refused = await Assert.ThrowsAsync<MmapException>(() => attacker.CommitFileAsync(temporary, "target.bin"));

        Assert.Equal(2, refused.Errno);
        Assert.Equal(Old, await File.ReadAllBytesAsync(Path.Combine(server.Root, "target.bin")));
        await upload.WriteAtAsync(64 << 10, body.AsMemory(64 << 10).ToArray());
        await upload.FlushAsync();
        await server.Honest.CommitFileAsync(temporary, "target.bin");
        Assert.Equal(body, await File.ReadAllBytesAsync(Path.Combine(server.Root, "target.bin")));
    }

    [Fact]
    public async Task Another_session_can_neither_see_nor_touch_an_upload_in_progress()
    {
        await using var server = await AttackedServer.StartAsync();
        server.Write("target.bin", Old);
        string temporary = ServedRoot.TemporaryNameFor("target.bin");
        string name = Path.GetFileName(temporary);
        await server.Honest.CreateFileAsync(temporary, 4096);
        await using var upload = await server.Honest.OpenAsync(temporary);
        await upload.WriteAtAsync(0, "honest"u8.ToArray());
        await using var attacker = await MmapRemote.ConnectAsync(server.Server.Address.ToString(), "akka.loglevel = ERROR");
        string own = ServedRoot.TemporaryNameFor("target.bin");
        await attacker.CreateFileAsync(own, 6);

        var listing = await attacker.ListDirectoryAsync("");
        var errnos = new List<int?>();
        foreach (var attempt in new Func<Task>[]
        {
            () => attacker.StatAsync(temporary),
            () => attacker.StatAsync("./" + temporary),
            () => attacker.OpenAsync(temporary),
            () => attacker.OpenAsync(temporary, access: MmapAccess.Read),
            () => attacker.CommitFileAsync(temporary, "target.bin", discard: true),
            () => attacker.CommitFileAsync(own, temporary), // its own upload renamed over the honest one
            () => attacker.CreateFileAsync(temporary, 1),
        })
        {
            errnos.Add((await Assert.ThrowsAsync<MmapException>(attempt)).Errno);
        }
        // A data-plane ticket, asked by hand (the client asks for tickets only for its own transfers).
        await using var raw = Attacker.Create(server.Server.Address);
        var replies = CreateTestProbe(raw.System);
        var session = await raw.ConnectAsync(CreateTestProbe(raw.System).Ref);
        session.Tell(new OpenDataPlane(temporary, 0, 6, Write: true), replies.Ref);
        errnos.Add(replies.ExpectMsg<MmapError>(TimeSpan.FromSeconds(10)).Errno);

        Assert.DoesNotContain(listing, e => e.Name == name);
        Assert.Contains(listing, e => e.Name == Path.GetFileName(own)); // its own upload, it sees
        Assert.All(errnos, errno => Assert.True(errno is 2 or 17, $"errno {errno}"));
        Assert.Contains(await server.Honest.ListDirectoryAsync(""), e => e.Name == name);
        Assert.Equal("honest"u8.ToArray(), await upload.ReadAtAsync(0, 6));
        await upload.FlushAsync();
        await server.Honest.CommitFileAsync(temporary, "target.bin");
        Assert.Equal("honest"u8.ToArray(), (await File.ReadAllBytesAsync(Path.Combine(server.Root, "target.bin")))[..6]);
    }

    [Fact]
    public async Task A_session_cannot_commit_or_read_an_HTTP_upload_in_progress_and_neither_can_HTTP()
    {
        await using var server = await AttackedServer.StartAsync(dataPlane: true);
        server.Write("target.bin", Old);
        byte[] body = Body(128 << 10);
        var half = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var content = new HeldContent(body, 64 << 10, half.Task);
        using var http = new HttpClient();
        var target = new Uri(server.Server.DataPlane!.BaseUrl, "target.bin");
        var put = http.PutAsync(target, content);
        try
        {
            string temporary = await UploadAppearsAsync(server.Root, "target.bin");
            await using var attacker = await MmapRemote.ConnectAsync(server.Server.Address.ToString(), "akka.loglevel = ERROR");

            var committed = await Assert.ThrowsAsync<MmapException>(() => attacker.CommitFileAsync(temporary, "target.bin"));
            var opened = await Assert.ThrowsAsync<MmapException>(() => attacker.OpenAsync(temporary, access: MmapAccess.Read));
            using var get = await http.GetAsync(new Uri(server.Server.DataPlane!.BaseUrl, temporary));
            using var overwrite = await http.PutAsync(new Uri(server.Server.DataPlane!.BaseUrl, temporary), new ByteArrayContent("evil"u8.ToArray()));

            Assert.Equal(2, committed.Errno);
            Assert.Equal(2, opened.Errno);
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, overwrite.StatusCode);
            Assert.DoesNotContain(await attacker.ListDirectoryAsync(""), e => e.Name == Path.GetFileName(temporary));
            Assert.Equal(Old, await File.ReadAllBytesAsync(Path.Combine(server.Root, "target.bin")));
        }
        finally
        {
            half.TrySetResult();
        }
        using var done = await put;
        Assert.Equal(HttpStatusCode.NoContent, done.StatusCode);
        Assert.Equal(body, await File.ReadAllBytesAsync(Path.Combine(server.Root, "target.bin")));
    }

    [Fact]
    public async Task An_unfinished_upload_is_removed_when_its_session_ends()
    {
        await using var server = await AttackedServer.StartAsync();
        string temporary = ServedRoot.TemporaryNameFor("target.bin");
        var uploader = await MmapRemote.ConnectAsync(server.Server.Address.ToString(), "akka.loglevel = ERROR");
        await uploader.CreateFileAsync(temporary, 4096);
        Assert.True(File.Exists(Path.Combine(server.Root, temporary)));

        await uploader.DisposeAsync();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (File.Exists(Path.Combine(server.Root, temporary)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        Assert.False(File.Exists(Path.Combine(server.Root, temporary)));
        Assert.False(File.Exists(Path.Combine(server.Root, "target.bin")));
        await server.AssertStillServesAsync();
    }

    private static byte[] Body(int length)
    {
        var body = new byte[length];
        new Random(20).NextBytes(body);
        return body;
    }

    /// <summary>The temporary name an HTTP PUT of <paramref name="target"/> writes to, once it is on disk.</summary>
    private static async Task<string> UploadAppearsAsync(string root, string target)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (Directory.GetFiles(root, $".{target}.*.part").FirstOrDefault() is { } found)
            {
                return Path.GetFileName(found);
            }
            await Task.Delay(20);
        }
        throw new TimeoutException($"no upload of {target} appeared");
    }

    /// <summary>A body that sends its first <c>held</c> bytes, then waits for <c>release</c> before the rest.</summary>
    private sealed class HeldContent(byte[] body, int held, Task release) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(body.AsMemory(0, held));
            await stream.FlushAsync();
            await release;
            await stream.WriteAsync(body.AsMemory(held));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = body.Length;
            return true;
        }
    }
}
