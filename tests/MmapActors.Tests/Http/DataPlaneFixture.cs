using System.Net.Http.Headers;
using MmapActors.Remote;

namespace MmapActors.Tests.Http;

/// <summary>A server with its HTTP data plane on a free loopback port (max-file-size 8 MiB), a served root with a
/// 1 MiB random file, and an HttpClient. Anonymous writes are on (mmap.http.anonymous-writes): the tests PUT with curl
/// and HttpClient as a trusted local user would.</summary>
public sealed class DataPlaneFixture : IAsyncLifetime
{
    public const int MaxFileSize = 8 << 20;

    public string Root { get; } = Directory.CreateTempSubdirectory("mmap-http-").FullName;

    public byte[] Data { get; } = new byte[(1 << 20) + 123];

    public MmapServer Server { get; private set; } = null!;

    public HttpClient Http { get; } = new();

    public Uri Url(string path) => new(Server.DataPlane!.BaseUrl, path);

    public async Task InitializeAsync()
    {
        new Random(11).NextBytes(Data);
        await File.WriteAllBytesAsync(Path.Combine(Root, "data.bin"), Data);
        Server = await MmapServer.StartAsync(new MmapServerOptions(Root, Port: 0, HttpPort: MmapServerOptions.AnyHttpPort,
            Config: $"akka.loglevel = WARNING\nmmap.limits.max-file-size = {MaxFileSize}\nmmap.http.chunk-size = 64KiB\nmmap.http.anonymous-writes = on"));
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }

    public async Task<HttpResponseMessage> GetAsync(string path, Action<HttpRequestHeaders>? headers = null, HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, Url(path));
        headers?.Invoke(request.Headers);
        return await Http.SendAsync(request);
    }

    public async Task<HttpResponseMessage> PutAsync(string path, byte[] body, Action<HttpContentHeaders>? headers = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, Url(path)) { Content = new ByteArrayContent(body) };
        headers?.Invoke(request.Content.Headers);
        return await Http.SendAsync(request);
    }
}
