using BenchmarkDotNet.Running;
using MmapActors.Benchmarks.Quick;

namespace MmapActors.Benchmarks;

/// <summary>
/// <c>quick [--json FILE] [--seconds N]</c>: every figure with its baselines in well under two minutes.
/// Anything else (no arguments, or <c>bdn ...</c>): BenchmarkDotNet over the same callers, for detailed runs.
/// </summary>
public static class Program
{
    /// <summary>The entry point.</summary>
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "quick")
        {
            QuickOptions options;
            try
            {
                options = QuickOptions.Parse(args[1..]);
            }
            catch (ArgumentException e)
            {
                await Console.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
                return 2;
            }
            return await QuickRunner.RunAsync(options).ConfigureAwait(false);
        }
        var bdnArgs = args.Length > 0 && args[0] == "bdn" ? args[1..] : args;
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(bdnArgs);
        return 0;
    }
}
