using System.Net;
using System.Net.Sockets;
using MmapActors.Tests.Remote;

namespace MmapActors.Tests.Cli;

/// <summary>Wrong addresses fail with a message that says exactly what is wrong, in under 3 seconds, with exit code 6.</summary>
[Collection(NonParallelCollection.Name)]
public sealed class MmapctlAddressTests : IAsyncLifetime
{
    private static readonly TimeSpan Fast = TimeSpan.FromSeconds(3);
    private readonly string _root = Directory.CreateTempSubdirectory("mmapctl-addr-").FullName;
    private ServerProcess _server = null!;

    private int Port => int.Parse(_server.Address[(_server.Address.LastIndexOf(':') + 1)..]);

    public async Task InitializeAsync() => _server = await ServerProcess.StartAsync(_root);

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>What a successful command costs on this machine (starting .NET, an ActorSystem and remoting, connecting):
    /// the machine is shared with other builds, so this is measured in the same run and only the time beyond it counts
    /// against the 3 s a diagnosis may take.</summary>
    private async Task<TimeSpan> SuccessfulCommandAsync()
    {
        var ok = await Mmapctl.RunAsync("stat", "--server", _server.Address);
        Assert.Equal(0, ok.Exit);
        return ok.Elapsed;
    }

    private async Task AssertFastUnreachable(Mmapctl.Result result, string expected)
    {
        Assert.Equal(6, result.Exit);
        Assert.Contains(expected, result.Err);
        Assert.Single(result.Err.Trim().Split('\n'));
        Mmapctl.AssertNoStackTrace(result.All);
        var baseline = await SuccessfulCommandAsync();
        Assert.True(result.Elapsed - baseline < Fast, $"took {result.Elapsed} (a successful command takes {baseline}): {result.Err}");
    }

    [Fact]
    public async Task A_missing_CA_file_is_named_at_once_instead_of_a_refused_connection_after_the_timeout()
    {
        string certificate = Path.Combine(_root, "client.pfx");
        await File.WriteAllBytesAsync(certificate, [0]);
        string config = Path.Combine(_root, "client-tls.hocon");
        await File.WriteAllTextAsync(config, $"akka.remote.dot-netty.tcp {{ enable-ssl = on, ssl.certificate {{ path = \"{certificate}\", password = x }} }}");
        string ca = Path.Combine(_root, "certs", "ca.crt");

        var result = await Mmapctl.RunAsync(["ls", "--server", $"akka.ssl.tcp://mmap@127.0.0.1:{Port}", "--config", config],
            environment: new Dictionary<string, string> { ["SSL_CERT_FILE"] = ca });

        Assert.True(result.Exit == 3, result.All); // not found
        Assert.Contains($"No such file or directory: '{ca}' (SSL_CERT_FILE", result.Err);
        Assert.Single(result.Err.Trim().Split('\n'));
        Mmapctl.AssertNoStackTrace(result.All);
        var baseline = await SuccessfulCommandAsync();
        Assert.True(result.Elapsed - baseline < Fast, $"took {result.Elapsed} (a successful command takes {baseline}): {result.Err}");
    }

    [Fact]
    public async Task A_wrong_system_name_is_named_with_the_right_address()
    {
        var result = await Mmapctl.RunAsync("stat", "--server", $"akka.tcp://wrong@127.0.0.1:{Port}");

        await AssertFastUnreachable(result, $"is the actor system 'mmap', not 'wrong': use akka.tcp://mmap@127.0.0.1:{Port}");
    }

    [Fact]
    public async Task Localhost_for_a_server_that_advertises_127_0_0_1_is_told_the_address_to_use()
    {
        var result = await Mmapctl.RunAsync("stat", "--server", $"akka.tcp://mmap@localhost:{Port}");

        await AssertFastUnreachable(result, $"calls itself akka.tcp://mmap@127.0.0.1:{Port} and drops messages sent to any other address: " +
                                      $"use --server akka.tcp://mmap@127.0.0.1:{Port}");
    }

    [Fact]
    public async Task A_host_that_does_not_resolve_says_so()
    {
        var result = await Mmapctl.RunAsync("stat", "--server", "akka.tcp://mmap@no-such-host.invalid:4053");

        await AssertFastUnreachable(result, "the host 'no-such-host.invalid' of akka.tcp://mmap@no-such-host.invalid:4053 does not resolve");
    }

    [Fact]
    public async Task A_port_where_nothing_listens_is_connection_refused()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int closed = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var result = await Mmapctl.RunAsync("ls", "--server", $"akka.tcp://mmap@127.0.0.1:{closed}");

        await AssertFastUnreachable(result, $"[Errno 111] Connection refused: nothing listens on 127.0.0.1:{closed}");
    }

    [Fact]
    public async Task A_port_that_is_not_Akka_is_named_as_such_without_a_DotNetty_stack_trace()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var stop = new CancellationTokenSource();
        var answering = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var client = await listener.AcceptTcpClientAsync(stop.Token);
                await client.GetStream().WriteAsync("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), stop.Token);
            }
        });
        try
        {
            var result = await Mmapctl.RunAsync("stat", "x", "--server", $"akka.tcp://mmap@127.0.0.1:{port}");

            await AssertFastUnreachable(result, $"127.0.0.1:{port} accepts connections but did not answer an Akka.Remote handshake");
        }
        finally
        {
            await stop.CancelAsync();
            listener.Stop();
            await answering.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    [Fact]
    public async Task A_server_that_never_answers_exits_unreachable_without_a_stack_trace()
    {
        Mmapctl.Signal(_server.Pid, 19); // SIGSTOP: the kernel still accepts connections, nothing answers them
        try
        {
            var result = await Mmapctl.RunAsync("ls", "--server", _server.Address);

            Assert.Equal(6, result.Exit);
            Assert.Single(result.Err.Trim().Split('\n'));
            Mmapctl.AssertNoStackTrace(result.All);
        }
        finally
        {
            Mmapctl.Signal(_server.Pid, 18); // SIGCONT
        }
    }

    [Fact]
    public async Task A_request_the_server_does_not_answer_in_time_exits_unreachable_without_a_stack_trace()
    {
        // Connected, but every request times out (an ask timeout of 1 ms): AskTimeoutException must not leak.
        string config = Path.Combine(_root, "..", Path.GetFileName(_root) + "-impatient.hocon");
        await File.WriteAllTextAsync(config, "mmap.ask-timeout = 1ms");
        try
        {
            var ls = await Mmapctl.RunAsync("ls", "--config", config, "--server", _server.Address);
            var stat = await Mmapctl.RunAsync("stat", "--config", config, "--server", _server.Address);

            Assert.All(new[] { ls, stat }, result =>
            {
                Assert.Equal(6, result.Exit);
                Assert.StartsWith("mmapctl: the server did not answer in time", result.Err);
                Assert.Single(result.Err.Trim().Split('\n'));
                Mmapctl.AssertNoStackTrace(result.All);
            });
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Fact]
    public async Task Public_host_sets_the_advertised_name_and_the_startup_line_says_which_address_to_use()
    {
        string root = Directory.CreateTempSubdirectory("mmapctl-public-").FullName;
        var server = await ServerProcess.StartAsync(root, extraArguments: ["--public-host", "localhost"]);
        try
        {
            var byName = await Mmapctl.RunAsync("stat", "--server", server.Address);
            string byIp = server.Address.Replace("@localhost:", "@127.0.0.1:", StringComparison.Ordinal);
            var wrong = await Mmapctl.RunAsync("stat", "--server", byIp);

            Assert.StartsWith("akka.tcp://mmap@localhost:", server.Address);
            Assert.Contains(server.Output, line => line == $"mmapctl: listening on 127.0.0.1:{server.Address[(server.Address.LastIndexOf(':') + 1)..]}; clients must use --server {server.Address}");
            Assert.Equal(0, byName.Exit);
            await AssertFastUnreachable(wrong, $"use --server {server.Address}");
        }
        finally
        {
            await server.DisposeAsync();
            Directory.Delete(root, recursive: true);
        }
    }
}
