using System.Net;
using System.Net.Sockets;

namespace MmapActors.Tests;

/// <summary>The suite holds the product's default ports while it runs (<see cref="DefaultPortGuard"/>), so every test that
/// starts a server proves, in every run, that it binds a port of its own.</summary>
public sealed class DefaultPortGuardTests
{
    [Fact]
    public void Nothing_in_the_test_process_can_bind_the_products_default_ports()
    {
        foreach (int port in DefaultPortGuard.Ports)
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            // As Akka's transport binds (.NET maps it to SO_REUSEPORT on Linux): refused all the same.
            probe.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            var e = Assert.Throws<SocketException>(() => probe.Bind(new IPEndPoint(IPAddress.Loopback, port)));
            Assert.Equal(SocketError.AddressAlreadyInUse, e.SocketErrorCode);
        }
    }
}
