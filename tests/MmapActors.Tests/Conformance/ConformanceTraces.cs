namespace MmapActors.Tests.Conformance;

/// <summary>
/// The CPython traces to replay: the copy in this repository (recorded from CPython 3.13.0) plus every
/// <c>*.json</c> in the directory named by <c>MMAP_CONFORMANCE_TRACES</c>, each its own test case.
/// </summary>
public static class ConformanceTraces
{
    public const string EnvironmentVariable = "MMAP_CONFORMANCE_TRACES";

    public static IEnumerable<object[]> All()
    {
        string bundled = Path.Combine(AppContext.BaseDirectory, "Conformance", "Traces", "cpython-3.13.0");
        var files = Directory.EnumerateFiles(bundled, "seed-*.json").Order(StringComparer.Ordinal).ToList();
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } extra)
        {
            if (!Directory.Exists(extra))
            {
                throw new DirectoryNotFoundException($"{EnvironmentVariable} names '{extra}', which is not a directory");
            }
            files.AddRange(Directory.EnumerateFiles(extra, "*.json")
                .Where(f => Path.GetFileName(f) != "index.json")
                .Order(StringComparer.Ordinal));
        }
        return files.Select(f => new object[] { f });
    }
}
