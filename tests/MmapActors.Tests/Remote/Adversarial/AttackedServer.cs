using MmapActors.Remote;

namespace MmapActors.Tests.Remote.Adversarial;

/// <summary>An in-process server under attack, with an honest client whose service must survive every attack.</summary>
public sealed class AttackedServer : IAsyncDisposable
{
    private AttackedServer(string root, MmapServer server, MmapClient honest)
    {
        Root = root;
        Server = server;
        Honest = honest;
    }

    public string Root { get; }

    public MmapServer Server { get; }

    public MmapClient Honest { get; }

    /// <param name="config">HOCON for the server (limits, timeouts).</param>
    /// <param name="readOnly">Serve read-only.</param>
    /// <param name="dataPlane">Also start the HTTP data plane (on a free port, no token, anonymous writes on: anyone on
    /// loopback may use it, so that an attack test's HTTP client needs no credential).</param>
    public static async Task<AttackedServer> StartAsync(string? config = null, bool readOnly = false, bool dataPlane = false)
    {
        string root = Directory.CreateTempSubdirectory("mmap-attacked-").FullName;
        var server = await MmapServer.StartAsync(new MmapServerOptions(root, Port: 0, ReadOnly: readOnly,
            Config: "akka.loglevel = ERROR\n" + (dataPlane ? "mmap.http.anonymous-writes = on\n" : "") + (config ?? ""), HttpPort: dataPlane ? MmapServerOptions.AnyHttpPort : null));
        var honest = await MmapRemote.ConnectAsync(server.Address.ToString(), "akka.loglevel = ERROR");
        return new AttackedServer(root, server, honest);
    }

    /// <summary>A file in the served root.</summary>
    public string Write(string name, byte[] content)
    {
        File.WriteAllBytes(Path.Combine(Root, name), content);
        return name;
    }

    /// <summary>The honest client opens a fresh file and reads it back, within seconds.</summary>
    public async Task AssertStillServesAsync()
    {
        string name = Write($"ok-{Guid.NewGuid():N}.bin", "fine"u8.ToArray());
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var file = await Honest.OpenAsync(name, access: MmapAccess.Read, cancellationToken: deadline.Token);
        Assert.Equal("fine"u8.ToArray(), await file.ReadAtAsync(0, 4, deadline.Token));
    }

    public async ValueTask DisposeAsync()
    {
        await Honest.DisposeAsync();
        await Server.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }
}
