using System.Security.Cryptography;
using MmapActors.Tests.Remote;

namespace MmapActors.Tests.Cli;

/// <summary>mmapctl as users run it: separate processes against a served directory, checking output and exit codes.</summary>
[Collection(NonParallelCollection.Name)]
public sealed class MmapctlTests() : ServedDirectoryTest("mmapctl-")
{
    private static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] arguments)
    {
        using var process = ServerProcess.StartMmapctl(arguments);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Put_then_get_of_a_100_MiB_file_round_trips_byte_identical()
    {
        string source = Path.Combine(ScratchDirectory, "upload.bin");
        string back = Path.Combine(ScratchDirectory, "download.bin");
        await File.WriteAllBytesAsync(source, RandomNumberGenerator.GetBytes(100 << 20));

        var put = await RunAsync("put", "dir-less.bin", "-i", source, "-q", "--server", Server.Address);
        var get = await RunAsync("get", "dir-less.bin", "-o", back, "-q", "--server", Server.Address);

        Assert.Equal((0, ""), (put.Exit, put.Err));
        Assert.Equal((0, ""), (get.Exit, get.Err));
        byte[] expected = SHA256.HashData(File.ReadAllBytes(source));
        Assert.Equal(expected, SHA256.HashData(File.ReadAllBytes(back)));
        Assert.Equal(expected, SHA256.HashData(File.ReadAllBytes(Path.Combine(Root, "dir-less.bin"))));
    }

    [Fact]
    public async Task Get_to_standard_output_writes_exactly_the_range()
    {
        await File.WriteAllTextAsync(Path.Combine(Root, "text.txt"), "hello, mapped world");

        var result = await RunAsync("get", "text.txt", "--offset", "7", "--length", "6", "--server", Server.Address);

        Assert.Equal((0, "mapped"), (result.Exit, result.Out));
    }

    [Fact]
    public async Task An_unreachable_server_exits_with_its_own_code_and_one_line()
    {
        var result = await RunAsync("stat", "--server", "akka.tcp://mmap@127.0.0.1:9");

        Assert.Equal(6, result.Exit);
        Assert.Single(result.Err.Trim().Split('\n'));
        Assert.Contains("Connection refused", result.Err);
    }

    [Fact]
    public async Task A_path_outside_the_root_is_refused()
    {
        var result = await RunAsync("get", "../../etc/passwd", "--server", Server.Address);

        Assert.Equal(4, result.Exit);
        Assert.StartsWith("mmapctl: OSError: [Errno 18]", result.Err);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public async Task A_missing_file_exits_with_not_found()
    {
        var result = await RunAsync("stat", "missing.bin", "--server", Server.Address);

        Assert.Equal(3, result.Exit);
        Assert.Equal("mmapctl: FileNotFoundError: [Errno 2] No such file or directory: 'missing.bin'", result.Err.Trim());
    }

    [Fact]
    public async Task A_range_out_of_bounds_exits_with_out_of_range()
    {
        await File.WriteAllBytesAsync(Path.Combine(Root, "small.bin"), new byte[100]);

        var result = await RunAsync("get", "small.bin", "--offset", "101", "--server", Server.Address);

        Assert.Equal(5, result.Exit);
        Assert.Equal("mmapctl: ValueError: read position out of range", result.Err.Trim());
    }

    [Fact]
    public async Task A_write_to_a_read_only_export_is_refused()
    {
        string readOnlyRoot = Directory.CreateTempSubdirectory("mmapctl-ro-").FullName;
        await File.WriteAllBytesAsync(Path.Combine(readOnlyRoot, "kept.bin"), new byte[] { 1, 2, 3 });
        string source = Path.Combine(ScratchDirectory, "three.bin");
        await File.WriteAllBytesAsync(source, new byte[] { 9, 9, 9 });
        var readOnly = await ServerProcess.StartAsync(readOnlyRoot, readOnly: true);
        try
        {
            var result = await RunAsync("put", "kept.bin", "-i", source, "--server", readOnly.Address);

            Assert.Equal(4, result.Exit);
            Assert.StartsWith("mmapctl: PermissionError: [Errno 13]", result.Err);
            Assert.Equal(new byte[] { 1, 2, 3 }, await File.ReadAllBytesAsync(Path.Combine(readOnlyRoot, "kept.bin")));
        }
        finally
        {
            await readOnly.DisposeAsync();
            Directory.Delete(readOnlyRoot, recursive: true);
        }
    }

    [Fact]
    public async Task Ls_lists_the_served_directory_and_refuses_to_leave_it()
    {
        Directory.CreateDirectory(Path.Combine(Root, "sub"));
        await File.WriteAllBytesAsync(Path.Combine(Root, "sub", "seven.bin"), new byte[7]);

        var listing = await RunAsync("ls", "sub", "--server", Server.Address);
        var escape = await RunAsync("ls", "..", "--server", Server.Address);

        Assert.Equal(0, listing.Exit);
        Assert.Equal("file             7 B  seven.bin", listing.Out.Trim());
        Assert.Equal(4, escape.Exit);
    }

    [Fact]
    public async Task Demo_runs_workers_and_a_remote_client_and_reports_throughput()
    {
        var result = await RunAsync("demo", "--workers", "4", "--seconds", "0.5");

        Assert.Equal(0, result.Exit);
        Assert.Contains("ops/s", result.Out);
        Assert.Contains("byte-identical to the file: yes", result.Out);
        string all = result.Out + result.Err;
        Mmapctl.AssertNoStackTrace(all);
        Assert.All(all.Split('\n'), line => Assert.True(line.Length <= 250, $"a {line.Length}-character line: {line}"));
    }

    [Fact]
    public async Task Stat_without_a_path_prints_the_server_statistics()
    {
        var result = await RunAsync("stat", "--server", Server.Address);

        Assert.Equal(0, result.Exit);
        Assert.StartsWith("open files: ", result.Out);
    }
}
