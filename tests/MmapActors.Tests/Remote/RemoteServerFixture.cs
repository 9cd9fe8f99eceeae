using MmapActors.Remote;

namespace MmapActors.Tests.Remote;

/// <summary>One server and one remote client over loopback, shared by the tests of a class.</summary>
public sealed class RemoteServerFixture : IAsyncLifetime
{
    public string Root { get; } = Directory.CreateTempSubdirectory("mmap-served-").FullName;

    public MmapServer Server { get; private set; } = null!;

    public MmapClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await MmapServer.StartAsync(new MmapServerOptions(Root, Port: 0, Config: "akka.loglevel = WARNING"));
        Client = await MmapRemote.ConnectAsync(Server.Address.ToString());
    }

    public async Task DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }
}
