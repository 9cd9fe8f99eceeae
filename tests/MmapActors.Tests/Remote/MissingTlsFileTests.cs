using Akka.Configuration;
using MmapActors.Remote;

namespace MmapActors.Tests.Remote;

/// <summary>A TLS client whose certificate or CA file is missing is told which file, at once: without them the handshake
/// fails, which Akka.Remote reported as "Connection refused" after the whole connect timeout.</summary>
public sealed class MissingTlsFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mmap-tls-files-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static Config Tls(string certificate, bool enabled = true) => ConfigurationFactory.ParseString(
        $"akka.remote.dot-netty.tcp {{ enable-ssl = {(enabled ? "on" : "off")}, ssl.certificate.path = \"{certificate}\" }}");

    private string Existing(string name)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, [0]);
        return path;
    }

    [Fact]
    public void A_CA_file_named_by_SSL_CERT_FILE_that_does_not_exist_is_named_as_a_missing_file()
    {
        string certificate = Existing("client.pfx");
        string ca = Path.Combine(_directory, "ca.crt");

        var e = ConnectDiagnostics.MissingTlsFile(Tls(certificate), name => name == "SSL_CERT_FILE" ? ca : null);

        Assert.NotNull(e);
        Assert.Equal((MmapErrorKind.OSError, 2), (e.Kind, e.Errno));
        Assert.StartsWith($"[Errno 2] No such file or directory: '{ca}' (SSL_CERT_FILE, the CA certificates", e.Message);
        Existing("ca.crt");
        Assert.Null(ConnectDiagnostics.MissingTlsFile(Tls(certificate), name => name == "SSL_CERT_FILE" ? ca : null));
    }

    [Fact]
    public void A_client_certificate_that_does_not_exist_is_named_with_the_setting_that_names_it()
    {
        string certificate = Path.Combine(_directory, "client.pfx");

        var e = ConnectDiagnostics.MissingTlsFile(Tls(certificate), _ => null);

        Assert.NotNull(e);
        Assert.Equal(2, e.Errno);
        Assert.Contains($"'{certificate}' (akka.remote.dot-netty.tcp.ssl.certificate.path", e.Message);
    }

    [Fact]
    public void SSL_CERT_DIR_is_missing_only_when_none_of_its_directories_exists()
    {
        string certificate = Existing("client.pfx");
        string none = $"{_directory}/a:{_directory}/b";

        var e = ConnectDiagnostics.MissingTlsFile(Tls(certificate), name => name == "SSL_CERT_DIR" ? none : null);

        Assert.NotNull(e);
        Assert.Contains("(SSL_CERT_DIR", e.Message);
        Assert.Null(ConnectDiagnostics.MissingTlsFile(Tls(certificate), name => name == "SSL_CERT_DIR" ? $"{none}:{_directory}" : null));
    }

    [Fact]
    public void A_client_without_TLS_is_not_held_to_its_files()
    {
        string missing = Path.Combine(_directory, "missing");

        Assert.Null(ConnectDiagnostics.MissingTlsFile(Tls(missing, enabled: false), _ => missing));
    }
}
