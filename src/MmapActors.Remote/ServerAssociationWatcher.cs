using Akka.Actor;
using Akka.Remote;
using MmapActors.Client;

namespace MmapActors.Remote;

/// <summary>On a client node: declares the connection to a server lost the moment the association with the server's
/// node ends (a killed server is known at once, not after the checkpoint silence).</summary>
internal sealed class ServerAssociationWatcher : UntypedActor
{
    private readonly ConnectionState _connection;
    private readonly Address _server;

    public ServerAssociationWatcher(ConnectionState connection, Address server)
    {
        _connection = connection;
        _server = server;
    }

    public static Props Props(ConnectionState connection, Address server) =>
        Akka.Actor.Props.Create(() => new ServerAssociationWatcher(connection, server)).WithDeploy(Deploy.Local);

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(DisassociatedEvent));
        Context.System.EventStream.Subscribe(Self, typeof(QuarantinedEvent));
        var self = Self;
        _connection.WhenLost.ContinueWith(_ => self.Tell(PoisonPill.Instance), TaskScheduler.Default);
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case DisassociatedEvent e when e.RemoteAddress.Equals(_server):
                _connection.Lose($"the connection to {_server} closed");
                break;
            case QuarantinedEvent e when e.Address.Equals(_server):
                _connection.Lose($"{_server} was quarantined");
                break;
        }
    }
}
