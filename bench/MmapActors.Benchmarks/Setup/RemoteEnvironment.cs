using Akka.Actor;
using MmapActors.Benchmarks.Callers;
using MmapActors.Remote;

namespace MmapActors.Benchmarks.Setup;

/// <summary>
/// The remote figures' setup: an <see cref="MmapServer"/> serving the bench file's directory on 127.0.0.1, with its
/// HTTP data plane, and a client ActorSystem connected to it over loopback TCP, both in this process (they share its
/// 2 cores, as two processes on one machine would), plus a bare echo actor on the server for the baseline; and a
/// second server without a data plane, whose client streams over actor chunks (<c>remote.stream.actors</c>).
/// </summary>
internal sealed class RemoteEnvironment : IAsyncDisposable
{
    private RemoteEnvironment(MmapServer server, MmapClient client, IMappedFile[] handles, IActorRef echo, MmapServer actorsOnly,
        MmapClient actorsOnlyClient, IMappedFile actorsOnlyHandle)
    {
        Server = server;
        Client = client;
        Handles = handles;
        Echo = echo;
        ActorsOnlyServer = actorsOnly;
        ActorsOnlyClient = actorsOnlyClient;
        ActorsOnlyHandle = actorsOnlyHandle;
    }

    /// <summary>The server without a data plane.</summary>
    public MmapServer ActorsOnlyServer { get; }

    /// <summary>Its client.</summary>
    public MmapClient ActorsOnlyClient { get; }

    /// <summary>A handle of that client on the bench file: its ranges stream over actor chunks.</summary>
    public IMappedFile ActorsOnlyHandle { get; }

    /// <summary>The server.</summary>
    public MmapServer Server { get; }

    /// <summary>The remote client.</summary>
    public MmapClient Client { get; }

    /// <summary>16 remote handles on the bench file.</summary>
    public IReadOnlyList<IMappedFile> Handles { get; }

    /// <summary>The echo actor on the server, as the client system sees it.</summary>
    public IActorRef Echo { get; }

    /// <summary>Starts the server over <paramref name="file"/>'s directory and connects a client.</summary>
    public static async Task<RemoteEnvironment> CreateAsync(BenchFile file)
    {
        string root = Path.GetDirectoryName(file.Path)!;
        var server = await MmapServer.StartAsync(new MmapServerOptions(root, Port: 0, HttpPort: MmapServerOptions.AnyHttpPort,
            Config: "akka.loglevel = WARNING")).ConfigureAwait(false);
        server.System.ActorOf(RemoteEchoActor.Props(), "echo");
        var client = await MmapRemote.ConnectAsync(server.Address.ToString(), "akka.loglevel = WARNING").ConfigureAwait(false);
        var handles = new IMappedFile[BenchEnvironment.HandleCount];
        for (int i = 0; i < handles.Length; i++)
        {
            handles[i] = await client.OpenAsync(Path.GetFileName(file.Path), access: MmapAccess.Read).ConfigureAwait(false);
        }
        // The server is in untrusted mode: only its door answers selection, so the echo is named by its path.
        var echo = ((ExtendedActorSystem)client.System).Provider.ResolveActorRef($"{server.Address}/user/echo");
        var actorsOnly = await MmapServer.StartAsync(new MmapServerOptions(root, Port: 0, Config: "akka.loglevel = WARNING")).ConfigureAwait(false);
        var actorsOnlyClient = await MmapRemote.ConnectAsync(actorsOnly.Address.ToString(), "akka.loglevel = WARNING").ConfigureAwait(false);
        var actorsOnlyHandle = await actorsOnlyClient.OpenAsync(Path.GetFileName(file.Path), access: MmapAccess.Read).ConfigureAwait(false);
        return new RemoteEnvironment(server, client, handles, echo, actorsOnly, actorsOnlyClient, actorsOnlyHandle);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var handle in Handles)
        {
            await handle.DisposeAsync().ConfigureAwait(false);
        }
        await ActorsOnlyHandle.DisposeAsync().ConfigureAwait(false);
        await Client.DisposeAsync().ConfigureAwait(false);
        await ActorsOnlyClient.DisposeAsync().ConfigureAwait(false);
        await Server.DisposeAsync().ConfigureAwait(false);
        await ActorsOnlyServer.DisposeAsync().ConfigureAwait(false);
    }
}
