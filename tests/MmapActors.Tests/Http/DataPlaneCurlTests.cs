using System.Diagnostics;
using System.Security.Cryptography;
using MmapActors.Tests.Remote;

namespace MmapActors.Tests.Http;

/// <summary>curl against <c>mmapctl serve</c>: downloads and uploads, whole and by ranges, byte-identical (sha256).
/// CI uses a small file; bench/http/http-vs-nginx.sh does the same with 1 GiB streams.</summary>
public sealed class DataPlaneCurlTests : IAsyncLifetime
{
    private const int Size = (8 << 20) + 4097;
    private readonly string _root = Directory.CreateTempSubdirectory("mmap-curl-").FullName;
    private readonly string _scratch = Directory.CreateTempSubdirectory("mmap-curl-out-").FullName;
    private readonly byte[] _data = new byte[Size];
    private ServerProcess _server = null!;

    public async Task InitializeAsync()
    {
        new Random(5).NextBytes(_data);
        await File.WriteAllBytesAsync(Path.Combine(_root, "data.bin"), _data);
        // curl uploads without a credential, as a trusted local script would on a server that allows it.
        string config = Path.Combine(_scratch, "anonymous-writes.hocon");
        await File.WriteAllTextAsync(config, "mmap.http.anonymous-writes = on\n");
        _server = await ServerProcess.StartAsync(_root, config, httpPort: -1);
        Assert.NotNull(_server.HttpUrl);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
        Directory.Delete(_scratch, recursive: true);
    }

    [Fact]
    public async Task Curl_downloads_the_file_whole_and_by_ranges_byte_identical()
    {
        string whole = Path.Combine(_scratch, "whole.bin");
        await CurlAsync("-o", whole, Url("data.bin"));
        Assert.Equal(Sha256(_data), Sha256(await File.ReadAllBytesAsync(whole)));

        var pieces = new MemoryStream();
        const int piece = 3_000_000; // not a multiple of the chunk size
        for (long from = 0; from < Size; from += piece)
        {
            string part = Path.Combine(_scratch, $"part-{from}");
            await CurlAsync("-r", $"{from}-{Math.Min(from + piece, Size) - 1}", "-o", part, Url("data.bin"));
            pieces.Write(await File.ReadAllBytesAsync(part));
        }
        Assert.Equal(Sha256(_data), Sha256(pieces.ToArray()));
    }

    [Fact]
    public async Task Curl_uploads_a_new_file_whole_and_another_by_ranges_byte_identical()
    {
        string source = Path.Combine(_root, "data.bin");
        await CurlAsync("-T", source, Url("uploaded.bin"));
        Assert.Equal(Sha256(_data), Sha256(await File.ReadAllBytesAsync(Path.Combine(_root, "uploaded.bin"))));

        const int piece = 2_500_000;
        for (long from = Size - Size % piece; from >= 0; from -= piece) // last piece first: the first PUT creates the file at its full size
        {
            int count = (int)Math.Min(piece, Size - from);
            string part = Path.Combine(_scratch, $"up-{from}");
            await File.WriteAllBytesAsync(part, _data.AsSpan((int)from, count).ToArray());
            await CurlAsync("-T", part, "-H", $"Content-Range: bytes {from}-{from + count - 1}/{Size}", Url("ranged.bin"));
        }
        Assert.Equal(Sha256(_data), Sha256(await File.ReadAllBytesAsync(Path.Combine(_root, "ranged.bin"))));
    }

    [Fact]
    public async Task Curl_sees_the_status_codes_of_refusals()
    {
        Assert.Equal("404", await CurlStatusAsync(Url("missing.bin")));
        Assert.Equal("416", await CurlStatusAsync("-r", $"{Size}-", Url("data.bin")));
        Assert.Equal("405", await CurlStatusAsync("-X", "DELETE", Url("data.bin")));
        Assert.Equal("404", await CurlStatusAsync("--path-as-is", $"{_server.HttpUrl}../../etc/passwd"));
    }

    [Fact]
    public async Task Mmapctl_put_and_get_through_a_server_with_a_data_plane_round_trip_byte_identical()
    {
        string back = Path.Combine(_scratch, "back.bin");

        var put = await MmapctlAsync("put", "via-cli.bin", "-i", Path.Combine(_root, "data.bin"), "--server", _server.Address);
        var get = await MmapctlAsync("get", "via-cli.bin", "-o", back, "--server", _server.Address);

        // Success: exit 0, and standard error holds at most the one summary line a transfer ends with.
        Assert.Equal(0, put.Exit);
        Assert.Equal(0, get.Exit);
        Assert.True(put.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length <= 1, put.Err);
        Assert.True(get.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length <= 1, get.Err);
        Assert.Equal(Sha256(_data), Sha256(await File.ReadAllBytesAsync(back)));
    }

    [Fact]
    public async Task Serve_on_a_taken_HTTP_port_says_so_in_one_line_and_exits()
    {
        var run = await MmapctlAsync("serve", "--root", _scratch, "--port", "0", "--http-port", _server.HttpUrl!.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(6, run.Exit);
        Assert.Contains("address already in use", run.Err, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("--http-port 0", run.Err);
        Assert.DoesNotContain("   at ", run.Err);
    }

    private static async Task<(int Exit, string Out, string Err)> MmapctlAsync(params string[] arguments)
    {
        using var process = ServerProcess.StartMmapctl(arguments);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    private string Url(string path) => new Uri(_server.HttpUrl!, path).ToString();

    private static string Sha256(byte[] data) => Convert.ToHexString(SHA256.HashData(data));

    private static async Task CurlAsync(params string[] arguments)
    {
        var (exit, output) = await RunCurlAsync(["-sS", "-f", .. arguments]);
        Assert.True(exit == 0, $"curl {string.Join(' ', arguments)} exited {exit}: {output}");
    }

    private static async Task<string> CurlStatusAsync(params string[] arguments) =>
        (await RunCurlAsync(["-s", "-o", "/dev/null", "-w", "%{http_code}", .. arguments])).Output.Trim();

    private static async Task<(int Exit, string Output)> RunCurlAsync(string[] arguments)
    {
        var info = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }
        using var curl = Process.Start(info)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = curl.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = curl.StandardError.ReadToEndAsync(timeout.Token);
        await curl.WaitForExitAsync(timeout.Token);
        return (curl.ExitCode, await stdout + await stderr);
    }
}
