using System.Diagnostics;
using System.Runtime.InteropServices;
using MmapActors.Tests.Remote;

namespace MmapActors.Tests.Cli;

/// <summary>Runs mmapctl as a user would: a separate process, its output, exit code and duration.</summary>
internal static partial class Mmapctl
{
    public sealed record Result(int Exit, string Out, string Err, TimeSpan Elapsed)
    {
        public string All => Out + Err;

        /// <summary>Standard output as bytes (what <c>get -o -</c> printed).</summary>
        public byte[] OutBytes { get; init; } = [];
    }

    /// <summary>Runs mmapctl to completion with standard input closed (or fed <paramref name="input"/>).</summary>
    public static async Task<Result> RunAsync(string[] arguments, byte[]? input = null, TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var clock = Stopwatch.StartNew();
        using var process = ServerProcess.StartMmapctl(environment, arguments);
        var stdout = ReadAllBytesAsync(process.StandardOutput.BaseStream);
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(input);
        }
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(cts.Token);
        byte[] output = await stdout;
        return new Result(process.ExitCode, System.Text.Encoding.UTF8.GetString(output), await stderr, clock.Elapsed) { OutBytes = output };
    }

    private static async Task<byte[]> ReadAllBytesAsync(Stream stream)
    {
        var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    public static Task<Result> RunAsync(params string[] arguments) => RunAsync(arguments, null);

    /// <summary>Polls a condition of the file system (not of actors) until it holds, for at most <paramref name="within"/>.</summary>
    public static async Task<T> AwaitAsync<T>(Func<T?> probe, TimeSpan within, string what) where T : class
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            if (probe() is { } value)
            {
                return value;
            }
            await Task.Delay(20);
        }
        throw new TimeoutException($"{what} did not happen within {within}");
    }

    /// <summary>Sends <paramref name="signal"/> (2 SIGINT, 9 SIGKILL, 15 SIGTERM, 19 SIGSTOP, 18 SIGCONT) to a process.</summary>
    public static void Signal(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>No .NET stack trace: no "   at Namespace.Type.Method(" line and no exception dump.</summary>
    public static void AssertNoStackTrace(string output)
    {
        Assert.DoesNotMatch(@"(?m)^\s+at \S+\(", output);
        Assert.DoesNotContain("--- End of", output);
        Assert.DoesNotContain("Unhandled exception", output);
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
