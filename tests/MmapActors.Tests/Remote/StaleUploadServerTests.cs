using MmapActors.Remote;

namespace MmapActors.Tests.Remote;

/// <summary>
/// A real server (Akka.Remote and the HTTP data plane) over a root where a killed server left uploads behind: the root's
/// are removed once it has started, a directory's on the first upload into it (either protocol), and the uploads
/// themselves succeed.
/// </summary>
public sealed class StaleUploadServerTests : IAsyncLifetime
{
    private const string Hex = "0123456789abcdef";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly string _root = Directory.CreateTempSubdirectory("stale-server-").FullName;
    private readonly HttpClient _http = new();
    private MmapServer _server = null!;
    private string _staleInRoot = null!;
    private string _freshInRoot = null!;
    private string _staleInHttp = null!;
    private string _staleInActors = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_root, "http"));
        Directory.CreateDirectory(Path.Combine(_root, "actors"));
        _staleInRoot = Stale(_root, "", $".root.{Hex}.part");
        _freshInRoot = Path.Combine(_root, ".live.fedcba9876543210.part");
        await File.WriteAllTextAsync(_freshInRoot, "arriving");
        _staleInHttp = Stale(_root, "http", $".h.{Hex}.part");
        _staleInActors = Stale(_root, "actors", $".a.{Hex}.part");
        _server = await MmapServer.StartAsync(new MmapServerOptions(_root, Port: 0, HttpPort: MmapServerOptions.AnyHttpPort,
            Config: "akka.loglevel = WARNING\nmmap.http.anonymous-writes = on"));
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task An_abandoned_upload_in_the_root_is_gone_once_the_server_has_started_and_a_live_one_is_kept()
    {
        await WaitUntilAsync(() => !File.Exists(_staleInRoot));

        Assert.True(File.Exists(_freshInRoot));
        // The start sweeps the root only, not the tree.
        Assert.True(File.Exists(_staleInHttp));
        Assert.True(File.Exists(_staleInActors));
    }

    [Fact]
    public async Task An_abandoned_upload_is_gone_after_the_first_HTTP_PUT_into_its_directory_and_the_PUT_succeeds()
    {
        byte[] body = new byte[100_000];
        new Random(5).NextBytes(body);

        using var put = await _http.PutAsync(new Uri(_server.DataPlane!.BaseUrl, "http/new.bin"), new ByteArrayContent(body));

        Assert.Equal(System.Net.HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(body, await File.ReadAllBytesAsync(Path.Combine(_root, "http", "new.bin")));
        Assert.False(File.Exists(_staleInHttp));
        Assert.True(File.Exists(_staleInActors));
        Assert.Equal(["new.bin"], Directory.GetFiles(Path.Combine(_root, "http")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task An_abandoned_upload_is_gone_after_the_first_upload_into_its_directory_through_the_actor_protocol()
    {
        await using var client = await MmapRemote.ConnectAsync(_server.Address.ToString());
        string temporary = ServedRoot.TemporaryNameFor("actors/new.bin");

        await client.CreateFileAsync(temporary, 16);
        await client.CommitFileAsync(temporary, "actors/new.bin");

        Assert.False(File.Exists(_staleInActors));
        Assert.Equal(16, new FileInfo(Path.Combine(_root, "actors", "new.bin")).Length);
        Assert.True(File.Exists(_staleInHttp));
    }

    [Fact]
    public async Task With_the_age_set_to_0_a_server_removes_nothing()
    {
        string root = Directory.CreateTempSubdirectory("stale-server-off-").FullName;
        try
        {
            string stale = Stale(root, "", $".root.{Hex}.part");
            await using (var server = await MmapServer.StartAsync(new MmapServerOptions(root, Port: 0, HttpPort: MmapServerOptions.AnyHttpPort,
                Config: "akka.loglevel = WARNING\nmmap.limits.stale-upload-age = 0\nmmap.http.anonymous-writes = on")))
            {
                using var put = await _http.PutAsync(new Uri(server.DataPlane!.BaseUrl, "new.bin"), new ByteArrayContent([1, 2, 3]));
                Assert.Equal(System.Net.HttpStatusCode.Created, put.StatusCode);
            }
            // The server's first message was its root sweep, the PUT's create came after it and was answered: had either
            // swept, the file would be gone by now.
            Assert.True(File.Exists(stale));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static string Stale(string root, string directory, string name)
    {
        string path = Path.Combine(root, directory, name);
        File.WriteAllText(path, "half an upload");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddHours(-2));
        return path;
    }

    /// <summary>Polls the file system (the root sweep runs on the server's supervisor, after its start) within a bound.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"condition not met within {Timeout}");
            }
            await Task.Delay(20);
        }
    }
}
