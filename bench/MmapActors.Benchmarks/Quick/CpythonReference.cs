using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace MmapActors.Benchmarks.Quick;

/// <summary>
/// The <c>cpython.*</c> figures: CPython's <c>mmap</c> on the same file with the raw callers' access patterns, measured
/// by one long-lived <c>python3</c> subprocess (<c>cpython_reference.py</c>) slice by slice, interleaved with the other
/// figures, so every ratio to CPython compares numbers from the same minutes.
/// </summary>
internal sealed class CpythonReference : IAsyncDisposable
{
    private readonly Process _process;

    private CpythonReference(Process process, string version)
    {
        _process = process;
        Version = version;
    }

    /// <summary>The interpreter's version, e.g. <c>3.13.0</c>.</summary>
    public string Version { get; }

    /// <summary>Starts <c>python3</c> on <paramref name="path"/>; <see langword="null"/> (with the reason) when python3 is
    /// not on PATH or cannot map the file.</summary>
    public static async Task<(CpythonReference? Reference, string? Skipped)> StartAsync(string path)
    {
        string script = Path.Combine(AppContext.BaseDirectory, "cpython_reference.py");
        var info = new ProcessStartInfo("python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(path);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new Win32Exception("python3 did not start");
        }
        catch (Win32Exception)
        {
            return (null, "python3 is not on PATH");
        }
        string? ready = await process.StandardOutput.ReadLineAsync().ConfigureAwait(false);
        if (ready is null || !ready.StartsWith("ready ", StringComparison.Ordinal))
        {
            process.Kill();
            process.Dispose();
            return (null, "python3 could not run cpython_reference.py");
        }
        return (new CpythonReference(process, ready["ready ".Length..]), null);
    }

    /// <summary>Runs <paramref name="figure"/> (<c>read4k</c>, <c>write4k</c>, <c>read1m</c>) for <paramref name="duration"/>.</summary>
    /// <returns>The operations completed, the time they took and the subprocess's CPU time, as it measured them.</returns>
    public async Task<(long Steps, TimeSpan Elapsed, TimeSpan Cpu)> MeasureAsync(string figure, TimeSpan duration)
    {
        await _process.StandardInput.WriteLineAsync(FormattableString.Invariant($"{figure} {duration.TotalSeconds:F3}")).ConfigureAwait(false);
        await _process.StandardInput.FlushAsync().ConfigureAwait(false);
        string line = await _process.StandardOutput.ReadLineAsync().ConfigureAwait(false)
                      ?? throw new InvalidOperationException("the python3 subprocess exited during a measurement");
        string[] parts = line.Split(' ');
        return (long.Parse(parts[0], CultureInfo.InvariantCulture),
            TimeSpan.FromTicks(long.Parse(parts[1], CultureInfo.InvariantCulture) / 100),
            TimeSpan.FromTicks(long.Parse(parts[2], CultureInfo.InvariantCulture) / 100));
    }

    /// <summary>Ends the subprocess (closing its stdin ends its loop).</summary>
    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
        }
        _process.Dispose();
    }
}
