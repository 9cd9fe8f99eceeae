using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using MmapActors.Remote;

namespace MmapActors.Tests.Http;

/// <summary>GET/HEAD/PUT as HTTP users expect them, and every refusal with its status code.</summary>
public sealed class DataPlaneHttpTests(DataPlaneFixture fx) : IClassFixture<DataPlaneFixture>
{
    [Fact]
    public async Task A_whole_file_comes_back_byte_identical_with_its_length_validators_and_ranges_advertised()
    {
        using var response = await fx.GetAsync("data.bin");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(fx.Data, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(fx.Data.Length, response.Content.Headers.ContentLength);
        Assert.Equal("bytes", Assert.Single(response.Headers.AcceptRanges));
        Assert.False(response.Headers.ETag!.IsWeak);
        Assert.NotNull(response.Content.Headers.LastModified);
    }

    [Theory]
    [InlineData(0L, 0L)]
    [InlineData(1000L, 70_000L)]
    [InlineData(65_536L, 65_536L + 65_535L)]
    [InlineData(1_000_000L, 2_000_000L)] // past the end: cut at the end
    public async Task One_range_comes_back_as_206_with_its_content_range(long from, long to)
    {
        using var response = await fx.GetAsync("data.bin", h => h.Range = new RangeHeaderValue(from, to));

        long last = Math.Min(to, fx.Data.Length - 1);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(fx.Data[(int)from..(int)(last + 1)], await response.Content.ReadAsByteArrayAsync());
        Assert.Equal($"bytes {from}-{last}/{fx.Data.Length}", response.Content.Headers.ContentRange!.ToString());
        Assert.Empty(response.Headers.AcceptRanges); // a range says it by being one, as nginx's 206 does
    }

    [Fact]
    public async Task Kestrel_writes_responses_into_the_data_planes_blocks()
    {
        using var response = await fx.GetAsync("data.bin", h => h.Range = new RangeHeaderValue(4096, 8191));

        Assert.Equal(fx.Data[4096..8192], await response.Content.ReadAsByteArrayAsync());
        // Kestrel's own 4 KiB blocks would put the headers and the range in two, and the response in two sends.
        Assert.True(fx.Server.DataPlane!.BlocksAllocated > 0);
    }

    [Fact]
    public async Task A_suffix_range_gives_the_last_bytes()
    {
        using var response = await fx.GetAsync("data.bin", h => h.Range = new RangeHeaderValue { Ranges = { new RangeItemHeaderValue(null, 500) } });

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(fx.Data[^500..], await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_range_starting_past_the_end_is_416_with_the_size()
    {
        using var response = await fx.GetAsync("data.bin", h => h.Range = new RangeHeaderValue(fx.Data.Length, null));

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal($"bytes */{fx.Data.Length}", response.Content.Headers.ContentRange!.ToString());
        Assert.Equal("bytes", Assert.Single(response.Headers.AcceptRanges));
    }

    [Fact]
    public async Task Several_ranges_are_answered_with_the_whole_file()
    {
        using var response = await fx.GetAsync("data.bin", h =>
            h.Range = new RangeHeaderValue { Ranges = { new RangeItemHeaderValue(0, 9), new RangeItemHeaderValue(100, 109) } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(fx.Data.Length, (await response.Content.ReadAsByteArrayAsync()).Length);
    }

    [Theory]
    [InlineData("bytes=abc")]
    [InlineData("bytes=10-5")]
    [InlineData("pages=0-1")]
    [InlineData("bytes=")]
    public async Task A_malformed_Range_or_another_unit_is_ignored_and_the_whole_file_sent(string range)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, fx.Url("data.bin"));
        request.Headers.TryAddWithoutValidation("Range", range);

        using var response = await fx.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(fx.Data.Length, (await response.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task HEAD_gives_the_headers_of_GET_and_no_body()
    {
        using var response = await fx.GetAsync("data.bin", h => h.Range = new RangeHeaderValue(10, 19), HttpMethod.Head);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(10, response.Content.Headers.ContentLength);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task If_None_Match_with_the_current_ETag_is_304_and_a_PUT_changes_the_ETag()
    {
        await File.WriteAllBytesAsync(Path.Combine(fx.Root, "etag.bin"), new byte[4096]);
        using var first = await fx.GetAsync("etag.bin");
        var etag = first.Headers.ETag!;

        using var again = await fx.GetAsync("etag.bin", h => h.IfNoneMatch.Add(etag));
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);

        using var put = await fx.PutAsync("etag.bin", [1, 2, 3], h => h.ContentRange = new ContentRangeHeaderValue(0, 2));
        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        Assert.NotEqual(etag, put.Headers.ETag);
        using var changed = await fx.GetAsync("etag.bin", h => h.IfNoneMatch.Add(etag));
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(put.Headers.ETag, changed.Headers.ETag);
    }

    [Fact]
    public async Task If_Range_honours_the_range_only_while_the_ETag_matches()
    {
        await File.WriteAllBytesAsync(Path.Combine(fx.Root, "ifrange.bin"), new byte[8192]);
        using var first = await fx.GetAsync("ifrange.bin");
        var etag = first.Headers.ETag!;

        using var same = await fx.GetAsync("ifrange.bin", h => { h.Range = new RangeHeaderValue(0, 9); h.IfRange = new RangeConditionHeaderValue(etag); });
        Assert.Equal(HttpStatusCode.PartialContent, same.StatusCode);

        using var stale = await fx.GetAsync("ifrange.bin", h =>
        {
            h.Range = new RangeHeaderValue(0, 9);
            h.IfRange = new RangeConditionHeaderValue(new EntityTagHeaderValue("\"stale\""));
        });
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal(8192, (await stale.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task PUT_creates_a_file_then_a_Content_Range_writes_and_grows_it_within_the_limit()
    {
        byte[] body = Encoding.ASCII.GetBytes("hello, data plane");
        using var created = await fx.PutAsync("put-new.bin", body);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(body, await File.ReadAllBytesAsync(Path.Combine(fx.Root, "put-new.bin")));

        using var grown = await fx.PutAsync("put-new.bin", [9, 9], h => h.ContentRange = new ContentRangeHeaderValue(100, 101));
        Assert.Equal(HttpStatusCode.NoContent, grown.StatusCode);
        byte[] now = await File.ReadAllBytesAsync(Path.Combine(fx.Root, "put-new.bin"));
        Assert.Equal(102, now.Length);
        Assert.Equal(body, now[..body.Length]);
        Assert.Equal(new byte[] { 9, 9 }, now[100..]);

        using var replaced = await fx.PutAsync("put-new.bin", [7]);
        Assert.Equal(HttpStatusCode.NoContent, replaced.StatusCode);
        Assert.Equal(new byte[] { 7 }, await File.ReadAllBytesAsync(Path.Combine(fx.Root, "put-new.bin")));
    }

    [Fact]
    public async Task PUT_past_the_file_size_limit_is_413_and_writes_nothing()
    {
        using var response = await fx.PutAsync("too-big.bin", [1], h => h.ContentRange = new ContentRangeHeaderValue(DataPlaneFixture.MaxFileSize, DataPlaneFixture.MaxFileSize));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.False(File.Exists(Path.Combine(fx.Root, "too-big.bin")));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_PUT_range_whose_end_overflows_a_long_is_413_and_writes_nothing(bool exists)
    {
        string name = exists ? "overflow-old.bin" : "overflow-new.bin";
        string target = Path.Combine(fx.Root, name);
        if (exists)
        {
            await File.WriteAllBytesAsync(target, new byte[4096]);
        }

        using var response = await fx.PutAsync(name, new byte[8], h => h.ContentRange = new ContentRangeHeaderValue(long.MaxValue - 7, long.MaxValue));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(exists, File.Exists(target));
        if (exists)
        {
            Assert.Equal(new byte[4096], await File.ReadAllBytesAsync(target));
        }
    }

    [Theory]
    [InlineData("bytes 0-9/*", 5)]          // covers 10 bytes, body has 5
    [InlineData("bytes 5-1/*", 5)]          // backwards
    [InlineData("bytes 0-4/3", 5)]          // total shorter than the range
    [InlineData("items 0-4/*", 5)]          // another unit
    [InlineData("nonsense", 5)]
    public async Task A_bad_Content_Range_is_400(string contentRange, int length)
    {
        await File.WriteAllBytesAsync(Path.Combine(fx.Root, "cr.bin"), new byte[16]);
        using var request = new HttpRequestMessage(HttpMethod.Put, fx.Url("cr.bin")) { Content = new ByteArrayContent(new byte[length]) };
        request.Content.Headers.TryAddWithoutValidation("Content-Range", contentRange);

        using var response = await fx.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(new byte[16], await File.ReadAllBytesAsync(Path.Combine(fx.Root, "cr.bin")));
    }

    [Fact]
    public async Task A_PUT_without_Content_Length_is_411()
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, fx.Url("chunked.bin")) { Content = new StreamContent(new MemoryStream([1, 2, 3])) };
        request.Headers.TransferEncodingChunked = true;

        using var response = await fx.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.LengthRequired, response.StatusCode);
    }

    [Fact]
    public async Task Other_methods_are_405_with_Allow()
    {
        using var response = await fx.GetAsync("data.bin", method: HttpMethod.Delete);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains("PUT", response.Content.Headers.Allow);
    }

    [Fact]
    public async Task POST_flush_is_204()
    {
        using var response = await fx.Http.PostAsync(fx.Url("data.bin?flush"), null);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task A_missing_file_is_404_with_the_error_as_data()
    {
        using var response = await fx.GetAsync("missing.bin");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("OSError", Assert.Single(response.Headers.GetValues("Mmap-Error")));
        Assert.Equal("2", Assert.Single(response.Headers.GetValues("Mmap-Errno")));
    }

    [Fact]
    public async Task Symlinks_leaving_the_root_are_403_and_in_root_symlinks_serve()
    {
        string outside = Path.Combine(Path.GetTempPath(), $"mmap-outside-{Guid.NewGuid():N}.bin");
        await File.WriteAllTextAsync(outside, "secret");
        try
        {
            File.CreateSymbolicLink(Path.Combine(fx.Root, "abs-link"), outside);
            File.CreateSymbolicLink(Path.Combine(fx.Root, "rel-link"), Path.GetRelativePath(fx.Root, outside));
            File.CreateSymbolicLink(Path.Combine(fx.Root, "in-link"), "data.bin");

            foreach (var link in new[] { "abs-link", "rel-link" })
            {
                using var response = await fx.GetAsync(link);
                Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
                Assert.Equal("18", Assert.Single(response.Headers.GetValues("Mmap-Errno")));
                Assert.DoesNotContain("secret", await response.Content.ReadAsStringAsync());
            }
            using var inRoot = await fx.GetAsync("in-link", h => h.Range = new RangeHeaderValue(0, 99));
            Assert.Equal(fx.Data[..100], await inRoot.Content.ReadAsByteArrayAsync());
        }
        finally
        {
            File.Delete(outside);
        }
    }

    [Fact]
    public async Task Dot_dot_in_the_raw_request_target_never_leaves_the_root()
    {
        string secretName = $"mmap-escape-{Guid.NewGuid():N}.txt";
        string outside = Path.Combine(Path.GetDirectoryName(fx.Root)!, secretName);
        await File.WriteAllTextAsync(outside, "secret");
        try
        {
            foreach (var target in new[] { $"/../{secretName}", $"/%2e%2e/{secretName}", $"/..%2f{secretName}", $"/sub/../../{secretName}" })
            {
                string response = await RawGetAsync(target);
                Assert.DoesNotContain("secret", response);
                Assert.Matches("^HTTP/1.1 (400|403|404) ", response);
            }
        }
        finally
        {
            File.Delete(outside);
        }
    }

    [Fact]
    public async Task A_FIFO_and_a_directory_are_403_not_regular_files()
    {
        string fifo = Path.Combine(fx.Root, "pipe");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo))
        {
            await mkfifo.WaitForExitAsync();
        }
        Directory.CreateDirectory(Path.Combine(fx.Root, "subdir"));

        using var pipe = await fx.GetAsync("pipe");
        using var dir = await fx.GetAsync("subdir");

        Assert.Equal(HttpStatusCode.Forbidden, pipe.StatusCode);
        Assert.Equal("19", Assert.Single(pipe.Headers.GetValues("Mmap-Errno")));
        Assert.Equal(HttpStatusCode.Forbidden, dir.StatusCode);
        Assert.Equal("21", Assert.Single(dir.Headers.GetValues("Mmap-Errno")));
    }

    [Fact]
    public async Task A_file_grown_outside_the_server_is_served_whole()
    {
        string path = Path.Combine(fx.Root, "grows.bin");
        await File.WriteAllBytesAsync(path, Enumerable.Repeat((byte)1, 4096).ToArray());
        using (var warm = await fx.GetAsync("grows.bin"))
        {
            Assert.Equal(4096, (await warm.Content.ReadAsByteArrayAsync()).Length); // the handle now maps 4 KiB
        }
        await using (var stream = new FileStream(path, FileMode.Append))
        {
            await stream.WriteAsync(Enumerable.Repeat((byte)2, 100_000).ToArray());
        }

        using var response = await fx.GetAsync("grows.bin");
        byte[] body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(104_096, body.Length);
        Assert.Equal(2, body[^1]);
    }

    [Fact]
    public async Task An_empty_file_is_served_empty_and_can_be_filled_by_PUT()
    {
        await File.WriteAllBytesAsync(Path.Combine(fx.Root, "empty.bin"), []);

        using var get = await fx.GetAsync("empty.bin");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Empty(await get.Content.ReadAsByteArrayAsync());
        using var range = await fx.GetAsync("empty.bin", h => h.Range = new RangeHeaderValue(0, null));
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, range.StatusCode);

        using var put = await fx.PutAsync("empty.bin", [5, 6], h => h.ContentRange = new ContentRangeHeaderValue(3, 4));
        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        Assert.Equal(new byte[] { 0, 0, 0, 5, 6 }, await File.ReadAllBytesAsync(Path.Combine(fx.Root, "empty.bin")));
    }

    private async Task<string> RawGetAsync(string target)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, fx.Server.DataPlane!.BaseUrl.Port);
        await using var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.Latin1);
        return await reader.ReadToEndAsync();
    }
}
