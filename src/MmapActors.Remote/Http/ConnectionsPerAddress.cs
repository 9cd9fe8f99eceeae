using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace MmapActors.Remote.Http;

/// <summary>
/// A connection middleware (<c>ListenOptions.Use</c>) that lets one client address hold at most
/// <c>mmap.http.max-connections-per-address</c> of the data plane's connections at once; one more from that address is
/// closed at once, unanswered, and frees its slot of <c>mmap.http.max-connections</c> as it goes. Without it 1,024 idle
/// connections from one address held every slot, and an honest GET from anywhere was closed unanswered until they left.
/// An IPv6 client counts by its /64 (one host is routinely given a whole /64, so counting single addresses would bound
/// nothing); an IPv4-mapped IPv6 address counts as its IPv4 address.
/// </summary>
/// <remarks>Thread-safe: a count per address, added to on connect and taken from on close (a count that reaches 0 is
/// forgotten, so memory follows the addresses connected now, at most <c>max-connections</c> of them).</remarks>
internal sealed class ConnectionsPerAddress
{
    private readonly int _limit;
    private readonly ConcurrentDictionary<IPAddress, int> _open = new();

    private ConnectionsPerAddress(int limit) => _limit = limit;

    /// <summary>A limiter allowing <paramref name="limit"/> connections per client address.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is below 1.</exception>
    public static ConnectionsPerAddress Create(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return new ConnectionsPerAddress(limit);
    }

    /// <summary>Connections open now from <paramref name="address"/>'s group (tests).</summary>
    public int OpenFrom(IPAddress address) => _open.TryGetValue(KeyOf(address), out int n) ? n : 0;

    /// <summary>The middleware: wraps <paramref name="next"/>.</summary>
    public ConnectionDelegate Wrap(ConnectionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return async connection =>
        {
            if (connection.RemoteEndPoint is not IPEndPoint remote)
            {
                await next(connection).ConfigureAwait(false); // not an IP connection (a test transport): nothing to count by
                return;
            }
            var key = KeyOf(remote.Address);
            if (!TryEnter(key))
            {
                return; // Kestrel closes a connection whose delegate returns: unanswered, as past max-connections
            }
            try
            {
                await next(connection).ConfigureAwait(false);
            }
            finally
            {
                Leave(key);
            }
        };
    }

    private bool TryEnter(IPAddress key)
    {
        while (true)
        {
            if (_open.TryGetValue(key, out int n))
            {
                if (n >= _limit)
                {
                    return false;
                }
                if (_open.TryUpdate(key, n + 1, n))
                {
                    return true;
                }
            }
            else if (_open.TryAdd(key, 1))
            {
                return true;
            }
        }
    }

    private void Leave(IPAddress key)
    {
        while (true)
        {
            int n = _open[key];
            if (n == 1 ? _open.TryRemove(new KeyValuePair<IPAddress, int>(key, 1)) : _open.TryUpdate(key, n - 1, n))
            {
                return;
            }
        }
    }

    /// <summary>What a connection is counted by: its IPv4 address, or its IPv6 address's /64.</summary>
    internal static IPAddress KeyOf(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address;
        }
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes);
    }
}
