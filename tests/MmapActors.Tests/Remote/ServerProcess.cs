using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace MmapActors.Tests.Remote;

/// <summary>
/// <c>mmapctl serve</c> running as a separate OS process on 127.0.0.1 with a free port. Disposing sends SIGTERM
/// (the graceful path) and kills the process if it has not exited within 20 s.
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output = new();
    private int _disposed;

    private ServerProcess(Process process, string address)
    {
        _process = process;
        Address = address;
    }

    public string Address { get; }

    public int Pid => _process.Id;

    /// <summary>Whether the server process has ended (a crash, if the test did not stop it).</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The data plane's URL as serve printed it, when it was started with one.</summary>
    public Uri? HttpUrl { get; private init; }

    /// <summary>Every line the server wrote so far (standard output, where its log goes, then standard error).</summary>
    public IReadOnlyList<string> Output => _output.ToArray();

    public static string MmapctlDll => Path.Combine(AppContext.BaseDirectory, "mmapctl.dll");

    /// <summary>Starts mmapctl with <paramref name="arguments"/>; standard output and error are captured.</summary>
    public static Process StartMmapctl(params string[] arguments) => StartMmapctl(null, arguments);

    /// <summary>Starts mmapctl with <paramref name="arguments"/> and extra environment variables.</summary>
    public static Process StartMmapctl(IReadOnlyDictionary<string, string>? environment, params string[] arguments) =>
        StartMmapctl(environment, openFileLimit: null, arguments);

    /// <summary>Starts mmapctl with <paramref name="arguments"/>, extra environment variables and, when
    /// <paramref name="openFileLimit"/> is set, that RLIMIT_NOFILE (soft and hard, as <c>ulimit -n</c> sets it).</summary>
    public static Process StartMmapctl(IReadOnlyDictionary<string, string>? environment, int? openFileLimit, params string[] arguments)
    {
        var info = new ProcessStartInfo(openFileLimit is null ? "dotnet" : "bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        if (openFileLimit is { } limit)
        {
            // The shell lowers its own limit and becomes dotnet (exec), so the server's pid is the one started here.
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add($"ulimit -n {limit} && exec \"$0\" \"$@\"");
            info.ArgumentList.Add("dotnet");
        }
        info.ArgumentList.Add(MmapctlDll);
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }
        return Process.Start(info) ?? throw new InvalidOperationException("could not start mmapctl");
    }

    /// <param name="root">The served directory.</param>
    /// <param name="configFile">A HOCON file for --config.</param>
    /// <param name="environment">Extra environment variables, e.g. GC settings.</param>
    /// <param name="readOnly">Serve read-only (--read-only).</param>
    /// <param name="httpPort">--http-port: 0 (the default here, unlike serve's own) keeps the data plane off, -1 picks a free port.</param>
    /// <param name="extraArguments">More arguments for <c>serve</c> (e.g. <c>--public-host</c>).</param>
    /// <param name="openFileLimit">RLIMIT_NOFILE of the server (<c>ulimit -n</c>), or null for this process's.</param>
    public static async Task<ServerProcess> StartAsync(string root, string? configFile = null, IReadOnlyDictionary<string, string>? environment = null,
        bool readOnly = false, int httpPort = 0, IReadOnlyList<string>? extraArguments = null, int? openFileLimit = null)
    {
        var arguments = new List<string> { "serve", "--root", root, "--port", "0", "--http-port", httpPort.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        arguments.AddRange(extraArguments ?? []);
        if (readOnly)
        {
            arguments.Add("--read-only");
        }
        if (configFile is not null)
        {
            arguments.AddRange(["--config", configFile]);
        }
        var process = StartMmapctl(environment, openFileLimit, [.. arguments]);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seen = new List<string>();
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                seen.Add(line);
                if (ServingLine().Match(line) is { Success: true } m)
                {
                    Uri? httpUrl = null;
                    // The lines after the serving one say which address clients use and, with a data plane, its URL.
                    while (httpPort != 0 && httpUrl is null && await process.StandardOutput.ReadLineAsync(timeout.Token) is { } next)
                    {
                        seen.Add(next);
                        if (HttpLine().Match(next) is { Success: true } h)
                        {
                            httpUrl = new Uri(h.Groups[1].Value);
                        }
                    }
                    var server = new ServerProcess(process, m.Groups[1].Value) { HttpUrl = httpUrl };
                    foreach (var earlier in seen)
                    {
                        server._output.Enqueue(earlier);
                    }
                    _ = server.CaptureAsync(process.StandardOutput); // keep draining, and keep the log
                    _ = server.CaptureAsync(process.StandardError);
                    return server;
                }
            }
            throw new InvalidOperationException($"mmapctl serve exited early: {await process.StandardError.ReadToEndAsync(CancellationToken.None)}");
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
    }

    private async Task CaptureAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync(CancellationToken.None) is { } line)
        {
            _output.Enqueue(line);
        }
    }

    /// <summary>Anonymous resident memory of the server (its heaps and buffers, not the page cache it maps).</summary>
    public long ResidentAnonymousBytes() => ReadStatusKilobytes(Pid, "RssAnon:") * 1024;

    public static long ReadStatusKilobytes(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line[field.Length..].Trim().Split(' ')[0]);
            }
        }
        throw new InvalidOperationException($"{field} missing from /proc/{pid}/status");
    }

    /// <summary>Descriptors and mappings the server process holds on <paramref name="path"/>.</summary>
    public (int Descriptors, int Mappings) HeldOn(string path)
    {
        int fds = 0;
        foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{Pid}/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget == path)
                {
                    fds++;
                }
            }
            catch (IOException)
            {
            }
        }
        int maps = File.ReadLines($"/proc/{Pid}/maps").Count(l => l.EndsWith(path, StringComparison.Ordinal));
        return (fds, maps);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        if (!_process.HasExited)
        {
            Kill(_process.Id, 15);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [GeneratedRegex(@"^mmapctl: serving .* at (akka(?:\.ssl)?\.tcp://\S+?)( \(read-only\))?$")]
    private static partial Regex ServingLine();

    [GeneratedRegex(@"^mmapctl: HTTP data plane at (https?://\S+/) ")]
    private static partial Regex HttpLine();
}
