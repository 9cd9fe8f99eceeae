using System.Net;

namespace MmapActors.DataPlane;

/// <summary>The one spelling of a peer's network identity that tickets are bound to, whether it comes from an Akka
/// address (a client node's host) or from an HTTP connection (its remote IP address).</summary>
public static class PeerIdentity
{
    /// <summary>The identity of a host as written in an Akka address: an IP address in its canonical form (IPv4-mapped
    /// IPv6 as IPv4), <c>localhost</c> as <c>127.0.0.1</c>, any other name unchanged (lower-cased), and a local actor
    /// (no host) as <c>127.0.0.1</c>.</summary>
    public static string FromHost(string? host)
    {
        if (string.IsNullOrEmpty(host) || host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return "127.0.0.1";
        }
        return IPAddress.TryParse(host.Trim('[', ']'), out var ip) ? FromAddress(ip) : host.ToLowerInvariant();
    }

    /// <summary>The identity of a connection's remote address.</summary>
    public static string FromAddress(IPAddress? address) => address is null
        ? "unknown"
        : (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
}
