using System.Diagnostics;
using MmapActors.Tests.Remote;

namespace MmapActors.Tests.Cli;

/// <summary>CLI conventions (documented exit codes, no stack traces), the server's log as an operator reads it, and TLS
/// with client commands.</summary>
[Collection(NonParallelCollection.Name)]
public sealed class MmapctlConventionTests() : ServedDirectoryTest("mmapctl-conv-")
{
    private Task<Mmapctl.Result> Run(params string[] arguments) => Mmapctl.RunAsync([.. arguments, "--server", Server.Address]);

    [Fact]
    public async Task Help_lists_every_exit_code()
    {
        var help = await Mmapctl.RunAsync("--help");

        Assert.Equal(0, help.Exit);
        foreach (string code in new[] { "0", "1", "2", "3", "4", "5", "6", "7", "130" })
        {
            Assert.Matches($@"(?m)^\s+{code}\s+\w", help.Out);
        }
    }

    [Fact]
    public async Task Every_exit_code_means_what_the_help_says_and_no_output_carries_a_stack_trace()
    {
        await File.WriteAllBytesAsync(Path.Combine(Root, "ten.bin"), new byte[10]);
        string file = Path.Combine(ScratchDirectory, "a-file");
        await File.WriteAllTextAsync(file, "x");
        string limited = Directory.CreateTempSubdirectory("mmapctl-limited-").FullName;
        string config = Path.Combine(ScratchDirectory, "limits.hocon");
        await File.WriteAllTextAsync(config, "mmap.limits.max-file-size = 1KiB");
        await File.WriteAllBytesAsync(Path.Combine(ScratchDirectory, "2k.bin"), new byte[2048]);
        var small = await ServerProcess.StartAsync(limited, config);
        try
        {
            var cases = new (int Expected, Mmapctl.Result Result)[]
            {
                (0, await Run("stat", "ten.bin")),
                (1, await Run("stat", new string('n', 300))),                       // ENAMETOOLONG: a failure, not a refusal
                (2, await Mmapctl.RunAsync("get")),                                  // a missing argument
                (2, await Run("get", "ten.bin", "--offset", "ten")),                 // not a size
                (2, await Run("put", "d.bin", "-i", ScratchDirectory)),                      // a directory as input
                (2, await Mmapctl.RunAsync("serve", "--root", file, "--port", "0")), // a file as the root
                (3, await Run("stat", "missing.bin")),
                (3, await Run("put", "x.bin", "-i", Path.Combine(ScratchDirectory, "missing"))),
                (4, await Run("get", "../../etc/passwd")),
                (4, await Mmapctl.RunAsync("put", "big.bin", "-i", Path.Combine(ScratchDirectory, "2k.bin"), "--server", small.Address)), // a limit
                (5, await Run("get", "ten.bin", "--offset", "11")),
                (6, await Mmapctl.RunAsync("stat", "--server", "akka.tcp://mmap@127.0.0.1:9")),
            };

            Assert.All(cases, c =>
            {
                Assert.True(c.Expected == c.Result.Exit, $"expected exit {c.Expected}, got {c.Result.Exit}: {c.Result.All}");
                Mmapctl.AssertNoStackTrace(c.Result.All);
            });
            // Failures say one line, prefixed by the program's name (usage errors also print the usage).
            Assert.All(cases.Where(c => c.Expected is 1 or 3 or 4 or 5 or 6), c => Assert.StartsWith("mmapctl: ", c.Result.Err));
            Assert.Empty(Directory.EnumerateFileSystemEntries(limited)); // the refused upload left nothing
        }
        finally
        {
            await small.DisposeAsync();
            Directory.Delete(limited, recursive: true);
        }
    }

    [Fact]
    public async Task Twenty_ordinary_commands_leave_no_error_in_the_server_log_and_a_refusal_leaves_one_warning()
    {
        string source = Path.Combine(ScratchDirectory, "source.txt");
        await File.WriteAllTextAsync(source, "ordinary content\n");
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(0, (await Run("put", $"f{i}.txt", "-i", source, "-q")).Exit);
            Assert.Equal(0, (await Run("get", $"f{i}.txt", "-q")).Exit);
            Assert.Equal(0, (await Run("stat", $"f{i}.txt")).Exit);
            Assert.Equal(0, (await Run("ls")).Exit);
        }
        Assert.Equal(4, (await Run("get", "../outside/secret.txt")).Exit);

        // Every client (its session on the server) disconnects with one INFO line; wait for the last one (the log is
        // written asynchronously).
        await Mmapctl.AwaitAsync(() => Server.Output.Count(l => l.Contains("disconnected; its handles are released")) >= 21 ? "all" : null,
            TimeSpan.FromSeconds(30), "21 disconnect lines");
        string log = string.Join('\n', Server.Output);

        Assert.DoesNotContain("[ERROR]", log);
        Mmapctl.AssertNoStackTrace(log);
        Assert.Equal(21, Server.Output.Count(l => l.Contains("disconnected; its handles are released")));
        var warnings = Server.Output.Where(l => l.StartsWith("[WARNING]", StringComparison.Ordinal)).ToList();
        var refusal = Assert.Single(warnings);
        Assert.Contains("'../outside/secret.txt'", refusal);
        Assert.Contains("forbidden-path", refusal);
        Assert.Contains("from mmap-client-", refusal); // the peer
        Assert.All(Server.Output, line => Assert.True(line.Length <= 250, $"a {line.Length}-character line: {line}"));
    }

    [Fact]
    public async Task Serve_with_the_json_log_format_writes_each_event_as_one_json_object()
    {
        string root = Directory.CreateTempSubdirectory("mmapctl-json-log-").FullName;
        var server = await ServerProcess.StartAsync(root, extraArguments: ["--log-format", "json"]);
        try
        {
            Assert.Equal(0, (await Mmapctl.RunAsync("ls", "--server", server.Address)).Exit);
            await Mmapctl.AwaitAsync(() => server.Output.FirstOrDefault(l => l.Contains("disconnected", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(30), "the client's disconnect line");

            var events = server.Output.Where(l => !l.StartsWith("mmapctl: ", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(events);
            Assert.All(events, line =>
            {
                using var json = System.Text.Json.JsonDocument.Parse(line);
                Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("level").GetString()));
                Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("message").GetString()));
            });
            Assert.Contains(events, l => l.Contains("\"message\":\"Serving ", StringComparison.Ordinal));
        }
        finally
        {
            await server.DisposeAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Serve_refuses_an_unknown_log_format_with_a_usage_error()
    {
        var result = await Mmapctl.RunAsync("serve", "--port", "0", "--http-port", "0", "--log-format", "xml");

        Assert.Equal(2, result.Exit);
        Assert.Contains("xml", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_commands_reach_a_mutual_TLS_server_with_the_documented_certificates()
    {
        string repo = RepositoryRoot();
        string certs = Path.Combine(ScratchDirectory, "certs");
        var make = Process.Start(new ProcessStartInfo("bash", [Path.Combine(repo, "docs", "tls", "make-certificates.sh"), certs])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        string made = await make.StandardOutput.ReadToEndAsync() + await make.StandardError.ReadToEndAsync();
        await make.WaitForExitAsync();
        Assert.True(make.ExitCode == 0, made);
        string serverConfig = Path.Combine(ScratchDirectory, "server-tls.hocon"), clientConfig = Path.Combine(ScratchDirectory, "client-tls.hocon");
        await File.WriteAllTextAsync(serverConfig, (await File.ReadAllTextAsync(Path.Combine(repo, "docs", "tls", "server-tls.hocon"))).Replace("certs/", certs + "/"));
        await File.WriteAllTextAsync(clientConfig, (await File.ReadAllTextAsync(Path.Combine(repo, "docs", "tls", "client-tls.hocon"))).Replace("certs/", certs + "/"));
        // Every node trusts the private CA (docs/remote.md: SSL_CERT_FILE, or the system's trust store).
        var trust = new Dictionary<string, string> { ["SSL_CERT_FILE"] = Path.Combine(certs, "ca.crt") };
        string root = Directory.CreateTempSubdirectory("mmapctl-tls-").FullName;
        await File.WriteAllTextAsync(Path.Combine(root, "secret.txt"), "over TLS");
        var server = await ServerProcess.StartAsync(root, serverConfig, trust);
        try
        {
            var get = await Mmapctl.RunAsync(["get", "secret.txt", "-q", "--config", clientConfig, "--server", server.Address], environment: trust);
            var put = await Mmapctl.RunAsync(["put", "back.txt", "-q", "--config", clientConfig, "--server", server.Address], "written over TLS"u8.ToArray(), environment: trust);
            var plain = await Mmapctl.RunAsync(["stat", "--server", server.Address], environment: trust);

            Assert.StartsWith("akka.ssl.tcp://mmap@", server.Address);
            Assert.Equal((0, "over TLS"), (get.Exit, get.Out));
            Assert.Equal(0, put.Exit);
            Assert.Equal("written over TLS", await File.ReadAllTextAsync(Path.Combine(root, "back.txt")));
            Assert.Equal(6, plain.Exit); // no --config: this client has no TLS
            Mmapctl.AssertNoStackTrace(plain.All);
            // The server's side of the plain-text attempt: a peer's mistake, one short WARNING at most, never an ERROR.
            string log = string.Join('\n', server.Output);
            Assert.False(log.Contains("[ERROR]", StringComparison.Ordinal), log);
            Mmapctl.AssertNoStackTrace(log);
            Assert.All(server.Output, line => Assert.True(line.Length <= 250, $"a {line.Length}-character line: {line}"));
        }
        finally
        {
            await server.DisposeAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MmapActors.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("MmapActors.sln not found above " + AppContext.BaseDirectory);
    }
}
