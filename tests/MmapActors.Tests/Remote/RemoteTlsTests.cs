using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MmapActors.Remote;

namespace MmapActors.Tests.Remote;

/// <summary>TLS between nodes, configured only in HOCON: both nodes present a certificate (mutual authentication,
/// Akka.Remote's default), and a node without TLS cannot talk to the server.</summary>
public sealed class RemoteTlsTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("mmap-tls-").FullName;
    private readonly string _certificate;
    private MmapServer _server = null!;

    public RemoteTlsTests() => _certificate = Path.Combine(_root, "..", Path.GetFileName(_root) + ".pfx");

    private string TlsConfig => $$"""
        akka.loglevel = WARNING
        akka.remote.dot-netty.tcp {
          enable-ssl = true
          ssl {
            # A self-signed test certificate: no CA to validate its chain against.
            suppress-validation = true
            certificate { path = "{{_certificate}}", password = "test-only" }
          }
        }
        """;

    public async Task InitializeAsync()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        await File.WriteAllBytesAsync(_certificate, certificate.Export(X509ContentType.Pfx, "test-only"));
        await File.WriteAllBytesAsync(Path.Combine(_root, "secret.bin"), "over TLS"u8.ToArray());
        _server = await MmapServer.StartAsync(new MmapServerOptions(_root, Port: 0, Config: TlsConfig));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
        File.Delete(_certificate);
    }

    [Fact]
    public async Task A_client_with_a_certificate_reads_and_writes_over_TLS()
    {
        await using var client = await MmapRemote.ConnectAsync(_server.Address.ToString(), TlsConfig);
        await using var file = await client.OpenAsync("secret.bin");

        Assert.Equal("over TLS"u8.ToArray(), await file.ReadAtAsync(0, 8));
        await file.WriteAtAsync(0, "OVER"u8.ToArray());
        Assert.Equal("OVER TLS"u8.ToArray(), await File.ReadAllBytesAsync(Path.Combine(_root, "secret.bin")));
    }

    [Fact]
    public async Task A_client_without_TLS_cannot_use_the_servers_TLS_address()
    {
        var e = await Assert.ThrowsAsync<MmapException>(() =>
            MmapRemote.ConnectAsync(_server.Address.ToString(), "akka.loglevel = OFF\nmmap.connect-timeout = 3s"));

        Assert.Equal(93, e.Errno);
        Assert.Contains("enable-ssl", e.Message);
    }

    [Fact]
    public async Task A_client_without_TLS_gets_no_answer_from_the_TLS_port()
    {
        string plain = _server.Address.ToString().Replace("akka.ssl.tcp://", "akka.tcp://", StringComparison.Ordinal);

        var e = await Assert.ThrowsAsync<MmapException>(() => MmapRemote.ConnectAsync(plain, "akka.loglevel = OFF\nmmap.connect-timeout = 3s"));

        // ConnectDiagnostics: the port answers TCP but not a clear-text Akka handshake.
        Assert.Equal(71, e.Errno);
        Assert.Contains("requires TLS", e.Message);
    }
}
