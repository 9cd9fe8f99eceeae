using System.Net;
using Akka.Configuration;

namespace MmapActors.Remote;

/// <summary>What a server's configuration must hold before it listens: the door as the only trusted selection path, and
/// no clear-text listening beyond loopback unless asked for.</summary>
internal static class ListenSecurity
{
    /// <summary>Makes <c>akka.remote.trusted-selection-paths</c> exactly the door's path, in step with
    /// <c>mmap.server.gateway-name</c>, and untrusted mode on, whatever else the configuration says.</summary>
    public static Config TrustOnlyTheDoor(Config config)
    {
        string door = config.GetString("mmap.server.gateway-name", "mmap-server");
        return ConfigurationFactory.ParseString($"""
            akka.remote.untrusted-mode = on
            akka.remote.trusted-selection-paths = [{RemoteConfig.Quote("/user/" + door)}]
            """).WithFallback(config);
    }

    /// <summary>Refuses to listen on an address other hosts can reach without TLS, unless explicitly allowed.</summary>
    /// <exception cref="MmapException">PermissionError (EACCES) that says why and how to allow it.</exception>
    public static void Check(Config config)
    {
        var tcp = config.GetConfig("akka.remote.dot-netty.tcp");
        if (tcp.GetBoolean("enable-ssl") || config.GetBoolean("mmap.server.allow-insecure-non-loopback"))
        {
            return;
        }
        string host = tcp.GetString("hostname") ?? "";
        if (!IsLoopback(host))
        {
            throw new MmapException(MmapErrorKind.OSError,
                $"[Errno 13] Permission denied: refusing to listen on '{(host.Length == 0 ? "every address" : host)}' without TLS: anyone on the " +
                "network could read the files served and take over a client's session. Enable TLS (akka.remote.dot-netty.tcp.enable-ssl, " +
                "docs/remote.md), or listen on 127.0.0.1, or allow it knowingly (--allow-insecure, MmapServerOptions.AllowInsecureNonLoopback, " +
                "mmap.server.allow-insecure-non-loopback = on)", 13);
        }
    }

    /// <summary>The same check for a system that already runs (Akka.Hosting builds the configuration itself).</summary>
    public static void CheckRunning(Config config) => Check(config);

    /// <summary>Whether <paramref name="host"/> (an address, or a name resolved now) reaches this machine only; empty (Akka
    /// then listens on the machine's address) and unresolvable names are not.</summary>
    internal static bool IsLoopback(string host)
    {
        if (host.Length == 0)
        {
            return false; // Akka listens on the machine's address
        }
        if (IPAddress.TryParse(host, out var address))
        {
            return IPAddress.IsLoopback(address);
        }
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        try
        {
            var addresses = Dns.GetHostAddresses(host);
            return addresses.Length > 0 && addresses.All(IPAddress.IsLoopback);
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false; // unresolvable: Akka will fail to bind it anyway
        }
    }
}
