using Akka.Configuration;
using MmapActors.Remote;

namespace MmapActors.Cluster;

/// <summary>
/// What a member system's configuration must hold before its member port listens: loopback, or TLS on the member
/// transport, or an explicit acceptance of the risk. Members trust each other completely (docs/cluster.md): whoever
/// reaches the member port can join, run owners and read every file under the shared root, so a clear-text member
/// port on a network is refused as the client door's is (<c>ListenSecurity</c>), under a switch of its own.
/// </summary>
internal static class MemberListenSecurity
{
    /// <summary>The configuration key that accepts a non-loopback member port without TLS.</summary>
    public const string AllowKey = "mmap.cluster.allow-insecure-members";

    /// <summary>Why a member system configured by <paramref name="config"/> must not listen, or null when it may.</summary>
    public static string? Refusal(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var tcp = config.GetConfig("akka.remote.dot-netty.tcp");
        if (tcp is null || tcp.GetBoolean("enable-ssl") || config.GetBoolean(AllowKey))
        {
            return null;
        }
        string host = tcp.GetString("hostname") ?? "";
        if (ListenSecurity.IsLoopback(host))
        {
            return null;
        }
        string where = host.Length == 0 ? "this machine's address" : $"'{host}'";
        return $"refusing to open the cluster member port {tcp.GetInt("port")} on {where} without TLS: members trust each other " +
               "completely, so anyone who reaches that port could join the cluster, run file owners and read or change every file. " +
               "Enable TLS on the member transport (akka.remote.dot-netty.tcp.enable-ssl in --config, docs/remote.md), or listen on " +
               $"127.0.0.1, or allow it knowingly on a private network (--allow-insecure-members, MmapClusterOptions.AllowInsecureMembers, {AllowKey} = on)";
    }
}
