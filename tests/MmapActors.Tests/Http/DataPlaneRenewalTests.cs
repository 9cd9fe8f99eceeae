using System.Net.Http.Headers;

namespace MmapActors.Tests.Http;

/// <summary>A file that grows outside the server: the data plane's cached handle maps the old length, is renewed once
/// for the growth (not once per request), and the stale handle is closed while the path stays busy.</summary>
public sealed class DataPlaneRenewalTests(DataPlaneFixture fx) : IClassFixture<DataPlaneFixture>
{
    [Fact]
    public async Task After_one_growth_outside_the_server_one_renewed_handle_serves_every_later_request_and_the_stale_one_closes()
    {
        await using var local = MmapClient.Create(fx.Server.System);
        string path = Path.Combine(fx.Root, "appended.bin");
        await File.WriteAllBytesAsync(path, Enumerable.Repeat((byte)1, 4096).ToArray());
        Assert.Equal(4096, (await GetAsync("appended.bin")).Length); // the cached handle now maps 4 KiB
        Assert.Equal(1, await HandlesOnAsync(local, "appended.bin"));
        await using (var stream = new FileStream(path, FileMode.Append))
        {
            await stream.WriteAsync(Enumerable.Repeat((byte)2, 100_000).ToArray());
        }

        for (int i = 0; i < 6; i++)
        {
            byte[] body = await GetAsync("appended.bin");
            Assert.Equal(104_096, body.Length);
            Assert.Equal(2, body[^1]);
            using var range = await fx.GetAsync("appended.bin", h => h.Range = new RangeHeaderValue(100_000, null));
            Assert.Equal(4096, (await range.Content.ReadAsByteArrayAsync()).Length);
        }

        // One handle on the file: the renewed one. Every request after the first used it (a renewal per request would
        // open a handle each), and the stale one was closed although the path never went idle (idle timeout: 10 s).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (await HandlesOnAsync(local, "appended.bin") != 1)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{await HandlesOnAsync(local, "appended.bin")} handles on the file, not 1");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task A_range_PUT_past_the_old_end_of_a_file_grown_outside_the_server_writes_through_a_renewed_handle()
    {
        string path = Path.Combine(fx.Root, "grown-put.bin");
        await File.WriteAllBytesAsync(path, new byte[4096]);
        Assert.Equal(4096, (await GetAsync("grown-put.bin")).Length);
        await using (var stream = new FileStream(path, FileMode.Append))
        {
            await stream.WriteAsync(new byte[10_000]);
        }

        using var put = await fx.PutAsync("grown-put.bin", [7, 7, 7], h => h.ContentRange = new ContentRangeHeaderValue(10_000, 10_002));

        Assert.Equal(System.Net.HttpStatusCode.NoContent, put.StatusCode);
        byte[] now = await File.ReadAllBytesAsync(path);
        Assert.Equal(14_096, now.Length);
        Assert.Equal(new byte[] { 7, 7, 7 }, now[10_000..10_003]);
    }

    private async Task<byte[]> GetAsync(string name)
    {
        using var response = await fx.GetAsync(name);
        return await response.Content.ReadAsByteArrayAsync();
    }

    private static async Task<int> HandlesOnAsync(MmapClient local, string name) =>
        (await local.GetStatsAsync()).Files.Where(f => f.Key.EndsWith("/" + name, StringComparison.Ordinal)).Sum(f => f.Handles);
}
