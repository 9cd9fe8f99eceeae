using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MmapActors.Remote;

namespace MmapActors.Tests.Http;

/// <summary>The data plane over HTTPS (Kestrel with a PKCS#12 certificate, <c>mmap.http.certificate</c>) with a bearer
/// token: ranges read and written byte for byte, and neither clear text nor a missing token gets in.</summary>
public sealed class DataPlaneHttpsTests : IAsyncLifetime
{
    private const string Token = "https-test-token";

    private readonly string _root = Directory.CreateTempSubdirectory("mmap-https-").FullName;
    private readonly string _certificatePath;
    private readonly byte[] _data = new byte[300_000];
    private X509Certificate2 _certificate = null!;
    private MmapServer _server = null!;
    private HttpClient _http = null!;

    public DataPlaneHttpsTests() => _certificatePath = Path.Combine(_root, "..", Path.GetFileName(_root) + ".pfx");

    public async Task InitializeAsync()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using (var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1)))
        {
            await File.WriteAllBytesAsync(_certificatePath, created.Export(X509ContentType.Pfx, "test-only"));
        }
        _certificate = X509CertificateLoader.LoadPkcs12FromFile(_certificatePath, "test-only");
        new Random(443).NextBytes(_data);
        await File.WriteAllBytesAsync(Path.Combine(_root, "data.bin"), _data);
        _server = await MmapServer.StartAsync(new MmapServerOptions(_root, Port: 0, HttpPort: MmapServerOptions.AnyHttpPort, Config: $$"""
            akka.loglevel = WARNING
            mmap.http {
              token = "{{Token}}"
              certificate { path = "{{_certificatePath}}", password = "test-only" }
              chunk-size = 64KiB
            }
            """));
        // Trust exactly the server's self-signed certificate, nothing else.
        _http = new HttpClient(new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented is not null && presented.RawData.AsSpan().SequenceEqual(_certificate.RawData),
        });
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        _certificate.Dispose();
        Directory.Delete(_root, recursive: true);
        File.Delete(_certificatePath);
    }

    private Uri Url(string path) => new(_server.DataPlane!.BaseUrl, path);

    [Fact]
    public async Task Ranges_of_one_and_of_several_chunks_come_back_byte_identical_over_HTTPS()
    {
        Assert.Equal("https", _server.DataPlane!.BaseUrl.Scheme);
        foreach (var (from, to) in new[] { (0L, 4095L), (100_000L, 299_999L) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Url("data.bin")) { Headers = { Range = new RangeHeaderValue(from, to) } };
            using var response = await _http.SendAsync(request);

            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            Assert.Equal(_data[(int)from..((int)to + 1)], await response.Content.ReadAsByteArrayAsync());
        }
    }

    [Fact]
    public async Task A_PUT_over_HTTPS_writes_the_file()
    {
        var body = new byte[70_000];
        new Random(444).NextBytes(body);

        using var response = await _http.PutAsync(Url("upload.bin"), new ByteArrayContent(body));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(body, await File.ReadAllBytesAsync(Path.Combine(_root, "upload.bin")));
    }

    [Fact]
    public async Task Without_the_token_the_answer_is_401_even_over_HTTPS()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url("data.bin"));
        _http.DefaultRequestHeaders.Authorization = null;

        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Clear_text_HTTP_to_the_HTTPS_port_gets_no_file()
    {
        using var plain = new HttpClient();
        var url = new UriBuilder(Url("data.bin")) { Scheme = "http" }.Uri;
        plain.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);

        HttpResponseMessage? response = null;
        try
        {
            response = await plain.GetAsync(url);
        }
        catch (HttpRequestException)
        {
            // Kestrel may close the connection at once: no file either way
        }
        using (response)
        {
            Assert.True(response is null || response.StatusCode == HttpStatusCode.BadRequest,
                $"clear text got {(int?)response?.StatusCode}");
        }
    }
}
