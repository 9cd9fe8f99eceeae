using Akka.Actor;
using Akka.Configuration;
using MmapActors.Actors;
using MmapActors.Client;

namespace MmapActors.Remote;

/// <summary>Connects to an <see cref="MmapServer"/> on another node.</summary>
public static class MmapRemote
{
    /// <summary>
    /// Connects to the server at <paramref name="serverAddress"/> (e.g. <c>akka.tcp://mmap@127.0.0.1:4053</c>) with a
    /// client ActorSystem of its own, which the returned client terminates when disposed.
    /// </summary>
    /// <param name="serverAddress">The server's address.</param>
    /// <param name="config">Optional HOCON overriding <c>config/client.hocon</c> (e.g. TLS, frame size).</param>
    /// <param name="cancellationToken">Cancels the connection attempt.</param>
    /// <exception cref="MmapException">OSError ECONNREFUSED (111) when no server answers in <c>mmap.connect-timeout</c>;
    /// ENOENT (2), at once, when TLS is on and a file it needs is missing (<see cref="ConnectDiagnostics.MissingTlsFile"/>).</exception>
    public static async Task<MmapClient> ConnectAsync(string serverAddress, string? config = null, CancellationToken cancellationToken = default)
    {
        var address = ParseAddress(serverAddress);
        var full = (config is null ? ConfigurationFactory.Empty : ConfigurationFactory.ParseString(config)).WithFallback(RemoteConfig.Client);
        if (ConnectDiagnostics.MissingTlsFile(full) is { } missing)
        {
            throw missing; // before the transport starts: it would fail on a missing certificate with an exception of its own
        }
        var system = ActorSystem.Create($"mmap-client-{Guid.NewGuid():N}", full);
        try
        {
            return await OpenSessionAsync(system, address, ownsSystem: true, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await system.Terminate().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Connects through an ActorSystem that already has remoting configured (with MmapActors' serialization
    /// bindings, see <c>config/client.hocon</c>); the system stays the caller's.</summary>
    public static async Task<MmapClient> ConnectAsync(ActorSystem system, string serverAddress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(system);
        if (ConnectDiagnostics.MissingTlsFile(system.Settings.Config) is { } missing)
        {
            throw missing;
        }
        return await OpenSessionAsync(system, ParseAddress(serverAddress), ownsSystem: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Finds the server's door and opens a session through it.</summary>
    private static async Task<MmapClient> OpenSessionAsync(ActorSystem system, Address address, bool ownsSystem, CancellationToken cancellationToken)
    {
        var door = await ResolveDoorAsync(system, address, cancellationToken).ConfigureAwait(false);
        var askTimeout = MmapSettings.Create(system).AskTimeout;
        return await MmapClient.ConnectAsync(system, door, askTimeout, ownsSystem,
            (connection, server) => system.ActorOf(ServerAssociationWatcher.Props(connection, server)), cancellationToken).ConfigureAwait(false);
    }

    private static Address ParseAddress(string serverAddress)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serverAddress);
        try
        {
            var address = Address.Parse(serverAddress.TrimEnd('/'));
            return address.HasGlobalScope ? address : throw new FormatException("the address names no host and port");
        }
        catch (Exception e) when (e is UriFormatException or FormatException or ArgumentException)
        {
            throw new ArgumentException($"'{serverAddress}' is not an Akka address such as akka.tcp://mmap@127.0.0.1:4053 ({e.Message})", nameof(serverAddress), e);
        }
    }

    private static async Task<IActorRef> ResolveDoorAsync(ActorSystem system, Address address, CancellationToken cancellationToken)
    {
        var timeout = system.Settings.Config.GetTimeSpan("mmap.connect-timeout", TimeSpan.FromSeconds(10));
        // The door's name is the server's mmap.server.gateway-name; a client names it the same way (default mmap-server).
        var path = new RootActorPath(address) / "user" / system.Settings.Config.GetString("mmap.server.gateway-name", "mmap-server");
        try
        {
            // A wrong address, system name, host or port otherwise fails after the whole timeout as "not found".
            return await ConnectDiagnostics.ResolveOrExplainAsync(address, system.Settings.Config.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl"),
                ct => system.ActorSelection(path).ResolveOne(timeout, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (Akka.Remote.RemoteTransportException e)
        {
            throw new MmapException(MmapErrorKind.OSError,
                $"[Errno 93] Protocol not supported: {address} needs the {address.Protocol} transport, which this client does not have " +
                "(a TLS server needs akka.remote.dot-netty.tcp.enable-ssl = on, see docs/remote.md): " + e.Message, 93).WithInner(e);
        }
        catch (ActorNotFoundException e)
        {
            throw new MmapException(MmapErrorKind.OSError, $"[Errno 111] Connection refused: no MmapActors server answered at {address} within {timeout}", 111)
                .WithInner(e);
        }
    }

    private static MmapException WithInner(this MmapException e, Exception inner) => new(e.Kind, e.Message, e.Errno, inner);
}
