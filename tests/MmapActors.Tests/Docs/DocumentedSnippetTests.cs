using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using MmapActors.Tests.Cli;

namespace MmapActors.Tests.Docs;

/// <summary>
/// Docs that compile: every <c>```csharp</c> block of README.md, docs/*.md and the package README is compiled against
/// this repository's assemblies (as a program when it has top-level statements, as a library otherwise), with warnings
/// as errors except unused-variable noise. A block followed by a <c>```text</c> block whose first line is
/// <c>Output:</c> is also run, in an empty directory, and must print exactly that.
/// </summary>
public sealed partial class DocumentedSnippetTests
{
    public sealed record Snippet(string File, int Line, string Code, string? Output)
    {
        public override string ToString() => $"{File}:{Line}";
    }

    public static TheoryData<string> Snippets()
    {
        var data = new TheoryData<string>();
        foreach (var snippet in All())
        {
            data.Add(snippet.ToString());
        }
        return data;
    }

    [Fact]
    public void The_documentation_has_snippets_to_check() => Assert.True(All().Count() >= 6);

    [Theory]
    [MemberData(nameof(Snippets))]
    public async Task Every_documented_snippet_compiles_and_those_showing_output_print_it(string where)
    {
        var snippet = All().Single(s => s.ToString() == where);
        bool program = HasTopLevelStatements(snippet.Code);
        var tree = CSharpSyntaxTree.ParseText(snippet.Code, new CSharpParseOptions(LanguageVersion.Preview), path: where);
        var compilation = CSharpCompilation.Create(
            "Snippet_" + Guid.NewGuid().ToString("N"),
            [tree, CSharpSyntaxTree.ParseText(Prelude, new CSharpParseOptions(LanguageVersion.Preview))],
            References(),
            new CSharpCompilationOptions(program ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: false));

        string directory = Directory.CreateTempSubdirectory("snippet-").FullName;
        try
        {
            string assembly = Path.Combine(directory, "snippet.dll");
            var emitted = compilation.Emit(assembly);
            var problems = emitted.Diagnostics
                .Where(d => d.Severity == DiagnosticSeverity.Error || (d.Severity == DiagnosticSeverity.Warning && !Tolerated.Contains(d.Id)))
                .Select(d => d.ToString())
                .ToList();
            Assert.True(problems.Count == 0, $"{where} does not compile:\n{string.Join('\n', problems)}");

            if (snippet.Output is { } expected)
            {
                Assert.True(program, $"{where} shows output but has no statements to run");
                Assert.Equal(expected.ReplaceLineEndings("\n").TrimEnd(), (await RunAsync(directory, assembly)).ReplaceLineEndings("\n").TrimEnd());
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Usings every snippet may assume, as a project with ImplicitUsings does.</summary>
    private const string Prelude = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    /// <summary>Warnings a snippet may show: an illustration may leave a variable unused or an async lambda unawaited;
    /// CS1701/CS1702 (assembly version unification) are off in every SDK build too.</summary>
    private static readonly HashSet<string> Tolerated = ["CS0168", "CS0219", "CS1998", "CS8321", "CS1701", "CS1702"];

    private static async Task<string> RunAsync(string directory, string assembly)
    {
        // The snippet runs as its own process in an empty directory, next to links to this repository's assemblies.
        foreach (string dll in Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll").Concat(Directory.EnumerateFiles(AppContext.BaseDirectory, "*.so")))
        {
            File.CreateSymbolicLink(Path.Combine(directory, Path.GetFileName(dll)), dll);
        }
        await File.WriteAllTextAsync(Path.Combine(directory, "snippet.runtimeconfig.json"),
            "{\"runtimeOptions\":{\"tfm\":\"net10.0\",\"framework\":{\"name\":\"Microsoft.NETCore.App\",\"version\":\"" + Environment.Version + "\"}}}");
        var info = new ProcessStartInfo("dotnet", [assembly])
        {
            WorkingDirectory = Path.Combine(directory, "cwd"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Directory.CreateDirectory(info.WorkingDirectory);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {await stderr}");
        return await stdout;
    }

    private static IEnumerable<MetadataReference> References() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat(Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll"))
            .Where(p => !Path.GetFileName(p).StartsWith("testhost", StringComparison.OrdinalIgnoreCase))
            .GroupBy(Path.GetFileName)
            .Select(g => MetadataReference.CreateFromFile(g.First()));

    private static bool HasTopLevelStatements(string code) =>
        CSharpSyntaxTree.ParseText(code).GetCompilationUnitRoot().Members.OfType<Microsoft.CodeAnalysis.CSharp.Syntax.GlobalStatementSyntax>().Any();

    /// <summary>Every C# block of the documentation, with the output block that follows it, if any.</summary>
    public static IEnumerable<Snippet> All()
    {
        string root = MmapctlConventionTests.RepositoryRoot();
        var files = new[] { Path.Combine(root, "README.md"), Path.Combine(root, "src", "PACKAGE.md") }
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
        foreach (string file in files.Where(File.Exists))
        {
            string text = File.ReadAllText(file).ReplaceLineEndings("\n");
            foreach (Match block in CodeBlock().Matches(text))
            {
                int line = text[..block.Index].Count(c => c == '\n') + 1;
                string? output = block.Groups["output"].Success ? block.Groups["output"].Value : null;
                yield return new Snippet(Path.GetRelativePath(root, file), line, block.Groups["code"].Value, output);
            }
        }
    }

    [Fact]
    public void Every_link_in_the_documentation_points_to_a_file_of_the_repository()
    {
        string root = MmapctlConventionTests.RepositoryRoot();
        var files = Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories).Append(Path.Combine(root, "README.md"));
        foreach (string file in files)
        {
            foreach (Match link in MarkdownLink().Matches(File.ReadAllText(file)))
            {
                string target = link.Groups["target"].Value.Split('#')[0];
                Assert.False(target.Contains("://", StringComparison.Ordinal), $"{Path.GetRelativePath(root, file)} links outside the repository: {target}");
                string resolved = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, target));
                Assert.True(target.Length == 0 || File.Exists(resolved) || Directory.Exists(resolved), $"{Path.GetRelativePath(root, file)}: {target} does not exist");
                Assert.StartsWith(root, resolved);
            }
        }
        // The NuGet page shows src/PACKAGE.md, where relative links break.
        Assert.Empty(MarkdownLink().Matches(File.ReadAllText(Path.Combine(root, "src", "PACKAGE.md"))));
    }

    [GeneratedRegex(@"\]\((?<target>[^)\s]*)\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"^```csharp\n(?<code>.*?)^```\n(?:\s*```text\nOutput:\n(?<output>.*?)^```\n)?", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex CodeBlock();
}
