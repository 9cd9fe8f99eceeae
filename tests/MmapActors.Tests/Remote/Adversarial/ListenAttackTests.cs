using System.Net;
using System.Net.Sockets;
using MmapActors.Remote;

namespace MmapActors.Tests.Remote.Adversarial;

/// <summary>A server never shares its port and never listens in clear text beyond loopback unless told to.</summary>
public sealed class ListenAttackTests
{
    [Fact]
    public async Task A_second_server_on_a_port_in_use_fails_to_start_with_EADDRINUSE()
    {
        await using var first = await AttackedServer.StartAsync();
        int port = first.Server.Address.Port!.Value;
        string root = Directory.CreateTempSubdirectory("mmap-second-").FullName;
        try
        {
            var e = await Assert.ThrowsAsync<MmapException>(() => MmapServer.StartAsync(new MmapServerOptions(root, Port: port, Config: "akka.loglevel = OFF")));

            Assert.Equal(98, e.Errno);
            Assert.Contains("Address already in use", e.Message);
            await first.AssertStillServesAsync();
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task A_port_held_by_any_socket_is_refused_too()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        int port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        string root = Directory.CreateTempSubdirectory("mmap-squat-").FullName;
        try
        {
            var e = await Assert.ThrowsAsync<MmapException>(() => MmapServer.StartAsync(new MmapServerOptions(root, Port: port, Config: "akka.loglevel = OFF")));
            Assert.Equal(98, e.Errno);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    public async Task A_non_loopback_bind_without_TLS_is_refused_with_the_reason(string host)
    {
        string root = Directory.CreateTempSubdirectory("mmap-open-").FullName;
        try
        {
            var e = await Assert.ThrowsAsync<MmapException>(() => MmapServer.StartAsync(new MmapServerOptions(root, host, Port: 0, Config: "akka.loglevel = OFF")));

            Assert.Equal(13, e.Errno);
            Assert.Contains("without TLS", e.Message);
            Assert.Contains("--allow-insecure", e.Message);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task A_non_loopback_bind_without_TLS_starts_when_explicitly_allowed()
    {
        string root = Directory.CreateTempSubdirectory("mmap-allowed-").FullName;
        try
        {
            await using var server = await MmapServer.StartAsync(new MmapServerOptions(root, "0.0.0.0", Port: 0, Config: "akka.loglevel = OFF")
            {
                AllowInsecureNonLoopback = true,
            });
            Assert.Equal("0.0.0.0", server.Address.Host);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task A_second_mmapctl_serve_on_a_port_in_use_exits_non_zero_saying_address_already_in_use()
    {
        string root = Directory.CreateTempSubdirectory("mmap-cli-port-").FullName;
        try
        {
            await using var first = await ServerProcess.StartAsync(root);
            string port = first.Address[(first.Address.LastIndexOf(':') + 1)..];
            using var second = ServerProcess.StartMmapctl("serve", "--root", root, "--port", port);
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));

            await second.WaitForExitAsync(deadline.Token);

            Assert.NotEqual(0, second.ExitCode);
            string error = await second.StandardError.ReadToEndAsync();
            Assert.Contains("Address already in use", error);
            Assert.DoesNotContain("   at ", error);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Mmapctl_serve_on_every_address_without_TLS_exits_non_zero_saying_why()
    {
        string root = Directory.CreateTempSubdirectory("mmap-cli-open-").FullName;
        try
        {
            using var server = ServerProcess.StartMmapctl("serve", "--root", root, "--host", "0.0.0.0", "--port", "0");
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));

            await server.WaitForExitAsync(deadline.Token);

            Assert.NotEqual(0, server.ExitCode);
            Assert.Contains("without TLS", await server.StandardError.ReadToEndAsync());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
