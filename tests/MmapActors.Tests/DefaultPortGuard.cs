using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace MmapActors.Tests;

/// <summary>
/// Holds the product's default ports on 127.0.0.1 for as long as the test process runs, so that a test that binds one
/// of them fails in every run, not only on a machine where <c>mmapctl serve</c> runs at its defaults. That is how
/// ClusterWireTests failed 4 tests on every run next to a served directory: its door system took server.hocon's port
/// 4053. Tests bind port 0 (or a port they reserved) and never depend on these being free or taken.
/// </summary>
/// <remarks>
/// Held from the moment the test assembly is loaded, before any test or fixture runs, with listening sockets (as a
/// real server holds them: a bind with SO_REUSEADDR or SO_REUSEPORT, as Akka's transport and Kestrel do, is refused
/// too). A port already taken is left to its holder, which refuses such a bind just the same. Released when the
/// process exits. While the suite runs, <c>mmapctl serve</c> at its defaults cannot start: start it first, or on
/// other ports.
/// </remarks>
internal static class DefaultPortGuard
{
    /// <summary>Akka.Remote's default (config/server.hocon, config/cluster.hocon, <c>mmapctl serve --port</c>), a
    /// cluster node's client port (<c>--port</c> + 1), and the HTTP data plane's (<c>mmapctl serve --http-port</c>).</summary>
    public static readonly IReadOnlyList<int> Ports = [4053, 4054, 4080];

    private static readonly List<Socket> Held = [];

    /// <summary>The ports this process holds (the others were taken already).</summary>
    public static IReadOnlyList<int> HeldPorts { get; private set; } = [];

#pragma warning disable CA2255 // a test assembly, not a library: it must run before any test and any fixture
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void HoldDefaultPorts()
    {
        var held = new List<int>();
        foreach (int port in Ports)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
                socket.Listen(1);
                Held.Add(socket);
                held.Add(port);
            }
            catch (SocketException)
            {
                socket.Dispose();
            }
        }
        HeldPorts = held;
    }
}
