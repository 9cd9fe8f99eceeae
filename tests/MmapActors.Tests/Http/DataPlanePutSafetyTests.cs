using System.Net;
using System.Net.Http.Headers;

namespace MmapActors.Tests.Http;

/// <summary>PUTs that a slow, interrupted or hostile client cannot turn into a file that looks complete and is not: a
/// whole-file PUT replaces the file by a rename once its body is complete, a range PUT grows the file only as far as
/// bytes have arrived. The raw clients send part of a body, wait until the server has written it, and stop.</summary>
public sealed class DataPlanePutSafetyTests(DataPlaneFixture fx) : IClassFixture<DataPlaneFixture>
{
    /// <summary>The fixture's chunk (mmap.http.chunk-size = 64KiB): the server writes a chunk once all of it arrived.</summary>
    private const int Chunk = 64 << 10;

    [Fact]
    public async Task A_whole_file_PUT_cut_off_half_way_leaves_the_old_file_intact_and_no_temporary_file()
    {
        byte[] old = Filled(100_000, 1);
        string target = Path.Combine(fx.Root, "cut.bin");
        await File.WriteAllBytesAsync(target, old);

        await using (var client = await RawHttpConnection.ConnectAsync(fx.Server.DataPlane!.BaseUrl.Port))
        {
            await client.SendHeadAsync("PUT /cut.bin HTTP/1.1", "Content-Length: 400000");
            await client.SendAsync(Filled(3 * Chunk + 1000, 2));
            await AwaitWrittenAsync("cut.bin", 3 * Chunk, old);
        } // the connection closes with 3 chunks and a bit of a 400,000-byte body sent

        await AwaitAsync(() => TemporaryFiles("cut.bin").Length == 0, "the unfinished upload is removed");
        Assert.Equal(old, await File.ReadAllBytesAsync(target));
        using var get = await fx.GetAsync("cut.bin");
        Assert.Equal(old, await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_whole_file_PUT_that_announces_a_large_body_and_sends_little_reserves_no_more_disk_than_it_sent()
    {
        await using var client = await RawHttpConnection.ConnectAsync(fx.Server.DataPlane!.BaseUrl.Port);
        await client.SendHeadAsync("PUT /announced.bin HTTP/1.1", $"Content-Length: {DataPlaneFixture.MaxFileSize}");
        await client.SendAsync(Filled(Chunk + 100, 2));
        await AwaitWrittenAsync("announced.bin", Chunk, []);

        string temporary = Assert.Single(TemporaryFiles("announced.bin"));
        Assert.Equal(Chunk, new FileInfo(temporary).Length);
    }

    [Fact]
    public async Task A_GET_during_a_slow_whole_file_PUT_sees_only_the_old_bytes_and_the_new_file_as_soon_as_it_is_answered()
    {
        byte[] old = Filled(100_000, 1);
        byte[] fresh = Filled(5 * Chunk, 2);
        await File.WriteAllBytesAsync(Path.Combine(fx.Root, "slow.bin"), old);
        using (var warm = await fx.GetAsync("slow.bin"))
        {
            Assert.Equal(old, await warm.Content.ReadAsByteArrayAsync()); // the path's handle is cached
        }

        await using var client = await RawHttpConnection.ConnectAsync(fx.Server.DataPlane!.BaseUrl.Port);
        await client.SendHeadAsync("PUT /slow.bin HTTP/1.1", $"Content-Length: {fresh.Length}");
        await client.SendAsync(fresh.AsMemory(0, 3 * Chunk));
        await AwaitWrittenAsync("slow.bin", 3 * Chunk, old);

        using (var during = await fx.GetAsync("slow.bin"))
        {
            Assert.Equal(old, await during.Content.ReadAsByteArrayAsync());
        }

        await client.SendAsync(fresh.AsMemory(3 * Chunk));
        var answer = await client.ReadHeadAsync();
        Assert.Equal(204, answer!.Status);
        using var after = await fx.GetAsync("slow.bin");
        Assert.Equal(fresh, await after.Content.ReadAsByteArrayAsync());
        Assert.Equal(answer.Headers["ETag"], after.Headers.ETag!.Tag);
        Assert.Equal(answer.Headers["Last-Modified"], after.Content.Headers.GetValues("Last-Modified").Single());
        Assert.Empty(TemporaryFiles("slow.bin"));
    }

    [Fact]
    public async Task A_whole_file_PUT_is_served_at_once_even_when_another_link_keeps_the_old_file()
    {
        string target = Path.Combine(fx.Root, "linked.bin");
        await File.WriteAllBytesAsync(target, Filled(5000, 1));
        // A second name keeps the replaced file's link count above zero, so only the PUT itself can tell the cache.
        using (var ln = System.Diagnostics.Process.Start("ln", [target, Path.Combine(fx.Root, "linked-backup.bin")]))
        {
            await ln.WaitForExitAsync();
            Assert.Equal(0, ln.ExitCode);
        }
        using (var warm = await fx.GetAsync("linked.bin"))
        {
            Assert.Equal(5000, (await warm.Content.ReadAsByteArrayAsync()).Length);
        }

        using var put = await fx.PutAsync("linked.bin", Filled(7000, 3));
        using var get = await fx.GetAsync("linked.bin");

        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        Assert.Equal(Filled(7000, 3), await get.Content.ReadAsByteArrayAsync());
        Assert.Equal(Filled(5000, 1), await File.ReadAllBytesAsync(Path.Combine(fx.Root, "linked-backup.bin")));
    }

    [Fact]
    public async Task An_empty_whole_file_PUT_empties_the_file()
    {
        await File.WriteAllBytesAsync(Path.Combine(fx.Root, "to-empty.bin"), Filled(5000, 1));

        using var put = await fx.PutAsync("to-empty.bin", []);
        using var created = await fx.PutAsync("new-empty.bin", []);

        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        Assert.Empty(await File.ReadAllBytesAsync(Path.Combine(fx.Root, "to-empty.bin")));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Empty(await File.ReadAllBytesAsync(Path.Combine(fx.Root, "new-empty.bin")));
        Assert.Empty(TemporaryFiles("to-empty.bin"));
    }

    [Fact]
    public async Task A_range_PUT_cut_off_half_way_leaves_the_file_no_longer_than_the_bytes_written()
    {
        byte[] old = Filled(10_000, 1);
        string target = Path.Combine(fx.Root, "grow-cut.bin");
        await File.WriteAllBytesAsync(target, old);

        await using (var client = await RawHttpConnection.ConnectAsync(fx.Server.DataPlane!.BaseUrl.Port))
        {
            await client.SendHeadAsync("PUT /grow-cut.bin HTTP/1.1", "Content-Length: 400000", "Content-Range: bytes 10000-409999/*");
            await client.SendAsync(Filled(3 * Chunk + 1000, 2));
            await AwaitAsync(() => Read(target) is { Length: > 10_000 + 3 * Chunk - 1 } now && now[10_000 + 3 * Chunk - 1] == 2,
                "the first three chunks are written");

            // While the client holds the rest back, readers see the bytes that arrived, and no zeros it never sent.
            Assert.Equal(10_000 + 3 * Chunk, new FileInfo(target).Length);
        }

        byte[] after = await File.ReadAllBytesAsync(target);
        Assert.Equal(10_000 + 3 * Chunk, after.Length);
        Assert.Equal(old, after[..10_000]);
        Assert.All(after[10_000..], b => Assert.Equal(2, b));
    }

    [Fact]
    public async Task A_Content_Range_total_beyond_the_body_grows_nothing_the_file_ends_where_the_body_does()
    {
        string target = Path.Combine(fx.Root, "total.bin");
        byte[] body = Filled(4 * Chunk, 4);
        await using var client = await RawHttpConnection.ConnectAsync(fx.Server.DataPlane!.BaseUrl.Port);
        await client.SendHeadAsync("PUT /total.bin HTTP/1.1", $"Content-Length: {body.Length}", $"Content-Range: bytes 0-{body.Length - 1}/1000000");
        await client.SendAsync(body.AsMemory(0, 2 * Chunk));
        await AwaitAsync(() => Read(target) is { Length: >= 2 * Chunk } now && now[2 * Chunk - 1] == 4, "the first two chunks are written");
        Assert.Equal(2 * Chunk, new FileInfo(target).Length);

        await client.SendAsync(body.AsMemory(2 * Chunk));
        var answer = await client.ReadHeadAsync();

        Assert.Equal(201, answer!.Status);
        Assert.Equal(body, await File.ReadAllBytesAsync(target)); // disk for the bytes that arrived, none for the claimed total
    }

    [Fact]
    public async Task Two_range_PUTs_that_grow_one_file_at_once_keep_both_ranges_and_the_larger_end()
    {
        byte[] old = Filled(10_000, 1);
        string target = Path.Combine(fx.Root, "race.bin");
        await File.WriteAllBytesAsync(target, old);
        int port = fx.Server.DataPlane!.BaseUrl.Port;
        const int aStart = 100_000, aLength = 4 * Chunk, bStart = 20_000, bLength = Chunk; // B ends before A begins, past the 10,000 bytes it saw
        const int aEnd = aStart + aLength, bEnd = bStart + bLength;
        await using var a = await RawHttpConnection.ConnectAsync(port);
        await using var b = await RawHttpConnection.ConnectAsync(port);

        // Both requests see the file at 10,000 bytes: "100 Continue" comes when the handler first reads the body, after
        // it looked at the file's size.
        await a.SendHeadAsync("PUT /race.bin HTTP/1.1", $"Content-Length: {aLength}", $"Content-Range: bytes {aStart}-{aEnd - 1}/*", "Expect: 100-continue");
        Assert.Equal(100, (await a.ReadHeadAsync())!.Status);
        await b.SendHeadAsync("PUT /race.bin HTTP/1.1", $"Content-Length: {bLength}", $"Content-Range: bytes {bStart}-{bEnd - 1}/*", "Expect: 100-continue");
        Assert.Equal(100, (await b.ReadHeadAsync())!.Status);

        // A grows the file past B's end and writes there; then B, whose end is shorter, sends all of its range.
        await a.SendAsync(Filled(2 * Chunk, 0xA));
        await AwaitAsync(() => Read(target) is { Length: aStart + 2 * Chunk } now && now[^1] == 0xA, "A's first two chunks are written");
        await b.SendAsync(Filled(bLength, 0xB));
        Assert.Equal(204, (await b.ReadHeadAsync())!.Status);
        Assert.Equal(aStart + 2 * Chunk, new FileInfo(target).Length); // B's growth did not cut A's back
        await a.SendAsync(Filled(aLength - 2 * Chunk, 0xA));
        Assert.Equal(204, (await a.ReadHeadAsync())!.Status);

        byte[] after = await File.ReadAllBytesAsync(target);
        Assert.Equal(aEnd, after.Length);
        Assert.Equal(old, after[..old.Length]);
        Assert.All(after[bStart..bEnd], x => Assert.Equal(0xB, x));
        Assert.All(after[aStart..aEnd], x => Assert.Equal(0xA, x));
    }

    [Fact]
    public async Task A_Content_Range_total_smaller_than_the_file_has_grown_to_meanwhile_does_not_shrink_it()
    {
        string target = Path.Combine(fx.Root, "total-race.bin");
        await File.WriteAllBytesAsync(target, Filled(10_000, 1));
        await using var small = await RawHttpConnection.ConnectAsync(fx.Server.DataPlane!.BaseUrl.Port);
        await small.SendHeadAsync("PUT /total-race.bin HTTP/1.1", "Content-Length: 100", "Content-Range: bytes 0-99/50000", "Expect: 100-continue");
        Assert.Equal(100, (await small.ReadHeadAsync())!.Status); // it has seen the file at 10,000 bytes

        using (var grow = await fx.PutAsync("total-race.bin", Filled(10_000, 3), h => h.ContentRange = new ContentRangeHeaderValue(190_000, 199_999)))
        {
            Assert.Equal(HttpStatusCode.NoContent, grow.StatusCode);
        }
        await small.SendAsync(Filled(100, 2));
        Assert.Equal(204, (await small.ReadHeadAsync())!.Status);

        byte[] after = await File.ReadAllBytesAsync(target);
        Assert.Equal(200_000, after.Length);
        Assert.All(after[..100], x => Assert.Equal(2, x));
        Assert.All(after[190_000..], x => Assert.Equal(3, x));
    }

    [Fact]
    public async Task A_range_PUT_after_the_file_was_emptied_from_outside_writes_every_byte_again()
    {
        string target = Path.Combine(fx.Root, "emptied.bin");
        byte[] first = Filled(5 * Chunk + 123, 4), second = Filled(5 * Chunk + 123, 5);
        using (var put = await fx.PutAsync("emptied.bin", first, h => h.ContentRange = new ContentRangeHeaderValue(0, first.Length - 1)))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode); // the server now maps the file at its full length
        }
        await File.WriteAllBytesAsync(target, []); // as `: > emptied.bin` would, while the server keeps it mapped

        using (var again = await fx.PutAsync("emptied.bin", second, h => h.ContentRange = new ContentRangeHeaderValue(0, second.Length - 1)))
        {
            Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
        }

        Assert.Equal(second, await File.ReadAllBytesAsync(target));
    }

    /// <summary>Waits until the server has written the first <paramref name="bytes"/> of a whole-file PUT's body of 2s:
    /// into the upload's temporary file, or (were the PUT not atomic) into the target itself.</summary>
    private async Task AwaitWrittenAsync(string name, int bytes, byte[] old) =>
        await AwaitAsync(() =>
            TemporaryFiles(name).Any(t => Read(t) is { } temp && temp.Length >= bytes && temp[bytes - 1] == 2) ||
            !old.AsSpan().SequenceEqual(Read(Path.Combine(fx.Root, name)) ?? old),
            $"the server has written {bytes} bytes of the body of {name}");

    private string[] TemporaryFiles(string name) => Directory.GetFiles(fx.Root, $".{name}.*.part");

    private static byte[]? Read(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (IOException)
        {
            return null; // removed meanwhile
        }
    }

    private static byte[] Filled(int length, byte value) => Enumerable.Repeat(value, length).ToArray();

    /// <summary>Polls a condition the server's disk shows (a half-sent body has no message to wait for).</summary>
    private static async Task AwaitAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within 15 s: {what}");
            await Task.Delay(20);
        }
    }
}
