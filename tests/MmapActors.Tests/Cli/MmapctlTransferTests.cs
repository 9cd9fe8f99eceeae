using System.Security.Cryptography;
using MmapActors.Tests.Remote;

namespace MmapActors.Tests.Cli;

/// <summary>Transfers that cannot lie: what `scp`, `rsync` and `curl -T` guarantee, checked on real processes.</summary>
[Collection(NonParallelCollection.Name)]
public sealed class MmapctlTransferTests() : ServedDirectoryTest("mmapctl-xfer-")
{
    private string Scratch(string name) => Path.Combine(ScratchDirectory, name);

    private Task<Mmapctl.Result> Run(params string[] arguments) => Mmapctl.RunAsync([.. arguments, "--server", Server.Address]);

    /// <summary>A client configuration that makes transfers slow (4 KiB chunks, one at a time), so they can be interrupted.</summary>
    private string SlowConfig()
    {
        string path = Scratch("slow.hocon");
        File.WriteAllText(path, "mmap.transfer { chunk-size = 4KiB, window = 1 }");
        return path;
    }

    [Fact]
    public async Task Put_over_a_longer_file_leaves_exactly_the_new_content()
    {
        await File.WriteAllTextAsync(Scratch("v1.txt"), "hello world, version one\n");
        await File.WriteAllTextAsync(Scratch("v2.txt"), "v2\n");

        Assert.Equal(0, (await Run("put", "notes.txt", "-i", Scratch("v1.txt"))).Exit);
        Assert.Equal(0, (await Run("put", "notes.txt", "-i", Scratch("v2.txt"))).Exit);
        var get = await Run("get", "notes.txt", "-q");

        Assert.Equal((0, "v2\n"), (get.Exit, get.Out));
        Assert.Equal("v2\n", await File.ReadAllTextAsync(Path.Combine(Root, "notes.txt")));
    }

    [Fact]
    public async Task A_file_being_read_keeps_its_old_content_while_a_put_replaces_it()
    {
        await File.WriteAllTextAsync(Scratch("old.txt"), "old content");
        await File.WriteAllTextAsync(Scratch("new.txt"), "NEW");
        Assert.Equal(0, (await Run("put", "swap.txt", "-i", Scratch("old.txt"))).Exit);
        // A get maps the old file first, so its owner is alive when the new version is committed.
        Assert.Equal("old content", (await Run("get", "swap.txt", "-q")).Out);

        Assert.Equal(0, (await Run("put", "swap.txt", "-i", Scratch("new.txt"))).Exit);

        Assert.Equal("NEW", (await Run("get", "swap.txt", "-q")).Out);
    }

    [Fact]
    public async Task Ctrl_C_during_a_put_leaves_no_file_under_the_final_name_and_nothing_behind()
    {
        byte[] data = RandomNumberGenerator.GetBytes(32 << 20);
        await File.WriteAllBytesAsync(Scratch("big.bin"), data);
        using var put = ServerProcess.StartMmapctl("put", "big.bin", "-i", Scratch("big.bin"), "--config", SlowConfig(), "--server", Server.Address);
        var stderr = put.StandardError.ReadToEndAsync();
        _ = put.StandardOutput.ReadToEndAsync();
        // Interrupt once bytes are landing on the server (under whatever name the put uses).
        await Mmapctl.AwaitAsync(() => Directory.EnumerateFiles(Root).FirstOrDefault(f => new FileInfo(f).Length > 0),
            TimeSpan.FromSeconds(30), "the upload starting");

        Mmapctl.Signal(put.Id, 2);
        await put.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);

        Assert.Equal(130, put.ExitCode);
        Assert.False(File.Exists(Path.Combine(Root, "big.bin")), "an interrupted put must not leave a file under the final name");
        Assert.Empty(Directory.EnumerateFileSystemEntries(Root)); // the temporary upload was discarded
        Mmapctl.AssertNoStackTrace(await stderr);
    }

    [Fact]
    public async Task A_killed_put_never_leaves_a_complete_looking_file_and_the_old_version_survives()
    {
        await File.WriteAllTextAsync(Path.Combine(Root, "big.bin"), "version one");
        await File.WriteAllBytesAsync(Scratch("big.bin"), RandomNumberGenerator.GetBytes(32 << 20));
        using var put = ServerProcess.StartMmapctl("put", "big.bin", "-i", Scratch("big.bin"), "--config", SlowConfig(), "--server", Server.Address);
        _ = put.StandardError.ReadToEndAsync();
        _ = put.StandardOutput.ReadToEndAsync();
        await Mmapctl.AwaitAsync(() => Directory.EnumerateFiles(Root).FirstOrDefault(f => Path.GetFileName(f) != "big.bin" && new FileInfo(f).Length > 0)
                                       ?? (new FileInfo(Path.Combine(Root, "big.bin")).Length > 11 ? "overwritten" : null),
            TimeSpan.FromSeconds(30), "the upload starting");

        put.Kill();
        await put.WaitForExitAsync();

        Assert.Equal("version one", await File.ReadAllTextAsync(Path.Combine(Root, "big.bin")));
        // What is left is hidden and says what it is: .big.bin.<16 hex>.part
        Assert.All(Directory.EnumerateFiles(Root).Select(Path.GetFileName).Where(n => n != "big.bin"),
            name => Assert.Matches(@"^\.big\.bin\.[0-9a-f]{16}\.part$", name));
    }

    [Fact]
    public async Task A_server_killed_mid_put_leaves_the_old_version_and_the_put_fails_fast_without_a_stack_trace()
    {
        await File.WriteAllTextAsync(Path.Combine(Root, "big.bin"), "version one");
        await File.WriteAllBytesAsync(Scratch("big.bin"), RandomNumberGenerator.GetBytes(32 << 20));
        using var put = ServerProcess.StartMmapctl("put", "big.bin", "-i", Scratch("big.bin"), "--config", SlowConfig(), "--server", Server.Address);
        var stderr = put.StandardError.ReadToEndAsync();
        _ = put.StandardOutput.ReadToEndAsync();
        await Mmapctl.AwaitAsync(() => Directory.EnumerateFiles(Root).FirstOrDefault(f => Path.GetFileName(f) != "big.bin" && new FileInfo(f).Length > 0),
            TimeSpan.FromSeconds(30), "the upload starting");
        var clock = System.Diagnostics.Stopwatch.StartNew();

        System.Diagnostics.Process.GetProcessById(Server.Pid).Kill(); // SIGKILL: no flush, no goodbye
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await put.WaitForExitAsync(deadline.Token);

        Assert.NotEqual(0, put.ExitCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"the put took {clock.Elapsed} to notice");
        Mmapctl.AssertNoStackTrace(await stderr);
        Assert.Equal("version one", await File.ReadAllTextAsync(Path.Combine(Root, "big.bin")));
        Assert.All(Directory.EnumerateFiles(Root).Select(Path.GetFileName).Where(n => n != "big.bin"),
            name => Assert.Matches(@"^\.big\.bin\.[0-9a-f]{16}\.part$", name));
    }

    [Fact]
    public async Task A_killed_get_leaves_only_a_part_file_and_resume_completes_it_byte_identical()
    {
        byte[] data = RandomNumberGenerator.GetBytes(24 << 20);
        await File.WriteAllBytesAsync(Path.Combine(Root, "data.bin"), data);
        string target = Scratch("data.bin");
        using var get = ServerProcess.StartMmapctl("get", "data.bin", "-o", target, "--config", SlowConfig(), "--server", Server.Address);
        _ = get.StandardError.ReadToEndAsync();
        _ = get.StandardOutput.ReadToEndAsync();
        await Mmapctl.AwaitAsync(() => File.Exists(target + ".part") && new FileInfo(target + ".part").Length > 0 ? "started" : null,
            TimeSpan.FromSeconds(30), "the download starting");

        get.Kill();
        await get.WaitForExitAsync();

        Assert.False(File.Exists(target), "an interrupted get must not leave a file under the final name");
        long partial = new FileInfo(target + ".part").Length;
        Assert.InRange(partial, 1, data.Length - 1);

        var resume = await Run("get", "data.bin", "-o", target, "--resume");

        Assert.Equal(0, resume.Exit);
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(await File.ReadAllBytesAsync(target)));
        Assert.False(File.Exists(target + ".part"));
    }

    [Fact]
    public async Task Empty_files_put_stat_get_and_list_like_any_other()
    {
        await File.WriteAllBytesAsync(Scratch("empty"), []);

        var put = await Run("put", "empty.bin", "-i", Scratch("empty"));
        var stat = await Run("stat", "empty.bin");
        var get = await Run("get", "empty.bin", "-o", Scratch("back"));
        var piped = await Mmapctl.RunAsync(["put", "piped-empty.bin", "--server", Server.Address], input: []);

        Assert.Equal(0, put.Exit);
        Assert.Equal((0, "empty.bin: 0 B (0 bytes)"), (stat.Exit, stat.Out.Trim()));
        Assert.Equal(0, get.Exit);
        Assert.Equal(0, new FileInfo(Scratch("back")).Length);
        Assert.Equal(0, piped.Exit);
        Assert.Equal(0, new FileInfo(Path.Combine(Root, "piped-empty.bin")).Length);
    }

    [Fact]
    public async Task Standard_input_is_streamed_to_the_server_before_it_ends()
    {
        using var put = ServerProcess.StartMmapctl("put", "stream.bin", "--server", Server.Address);
        var stderr = put.StandardError.ReadToEndAsync();
        byte[] first = RandomNumberGenerator.GetBytes(1 << 20);
        await put.StandardInput.BaseStream.WriteAsync(first);
        await put.StandardInput.BaseStream.FlushAsync();

        // Standard input is still open: a client that spooled it would have sent nothing yet.
        string upload = await Mmapctl.AwaitAsync(() => Directory.EnumerateFiles(Root, ".stream.bin.*.part").FirstOrDefault(),
            TimeSpan.FromSeconds(30), "the upload reaching the server while its input is still open");
        byte[] second = RandomNumberGenerator.GetBytes(3 << 20);
        await put.StandardInput.BaseStream.WriteAsync(second);
        put.StandardInput.Close();
        await put.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);

        Assert.True(upload.Length > 0);
        Assert.Equal(0, put.ExitCode);
        byte[] expected = [.. first, .. second];
        Assert.Equal(expected, await File.ReadAllBytesAsync(Path.Combine(Root, "stream.bin")));
        Assert.Contains("4.0 MiB (4194304 bytes)", await stderr); // the summary line
    }

    [Fact]
    public async Task Get_into_a_directory_writes_the_file_there_as_cp_and_scp_do()
    {
        await File.WriteAllTextAsync(Path.Combine(Root, "report.txt"), "quarterly");
        string into = Directory.CreateDirectory(Scratch("downloads")).FullName;

        var get = await Run("get", "report.txt", "-o", into, "-q");

        Assert.Equal((0, ""), (get.Exit, get.All));
        Assert.Equal("quarterly", await File.ReadAllTextAsync(Path.Combine(into, "report.txt")));
        Assert.Equal(["report.txt"], Directory.EnumerateFileSystemEntries(into).Select(Path.GetFileName));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task New_files_are_readable_by_others_as_cp_would_create_them()
    {
        await File.WriteAllTextAsync(Scratch("m.txt"), "mode");

        Assert.Equal(0, (await Run("put", "mode.txt", "-i", Scratch("m.txt"))).Exit);

        var mode = File.GetUnixFileMode(Path.Combine(Root, "mode.txt"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            mode & ~(UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)); // 0644 less whatever the umask removes
    }

    [Fact]
    public async Task Sizes_read_and_print_like_people_write_them()
    {
        await File.WriteAllBytesAsync(Path.Combine(Root, "sized.bin"), new byte[10]);

        var resize = await Run("resize", "sized.bin", "1M");
        var ls = await Run("ls");
        var exact = await Run("ls", "--bytes");
        var range = await Run("get", "sized.bin", "--offset", "1k", "--length", "2k", "-o", Scratch("range.bin"));

        Assert.Equal(0, resize.Exit);
        Assert.Equal(1 << 20, new FileInfo(Path.Combine(Root, "sized.bin")).Length);
        Assert.Contains("1.0 MiB  sized.bin", ls.Out);
        Assert.Contains("1048576  sized.bin", exact.Out);
        Assert.Equal((0, 2048L), (range.Exit, new FileInfo(Scratch("range.bin")).Length));
    }

    [Fact]
    public async Task Get_refuses_binary_output_to_a_terminal_unless_asked_with_dash_o_dash()
    {
        await File.WriteAllBytesAsync(Path.Combine(Root, "binary.bin"), [0x7f, (byte)'E', (byte)'L', (byte)'F', 0, 0, 1]);
        await File.WriteAllTextAsync(Path.Combine(Root, "text.txt"), "plain text\n");

        // script(1) gives mmapctl a pseudo-terminal as its standard output.
        var binary = await InTerminal($"get binary.bin --server {Server.Address}");
        var forced = await InTerminal($"get binary.bin -o - -q --server {Server.Address}");
        var text = await InTerminal($"get text.txt -q --server {Server.Address}");
        var put = await InTerminal($"put from-terminal.bin --server {Server.Address}");

        Assert.Equal(2, binary.Exit);
        Assert.Contains("looks binary", binary.Out);
        Assert.Equal(0, forced.Exit);
        Assert.Equal(0, text.Exit);
        Assert.Contains("plain text", text.Out);
        Assert.Equal(2, put.Exit); // would otherwise wait silently for the terminal
        Assert.Contains("standard input, which is a terminal", put.Out);
    }

    private static async Task<Mmapctl.Result> InTerminal(string arguments)
    {
        string command = $"dotnet {ServerProcess.MmapctlDll} {arguments}";
        var info = new System.Diagnostics.ProcessStartInfo("script", ["-qec", command, "/dev/null"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var process = System.Diagnostics.Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Close();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        return new Mmapctl.Result(process.ExitCode, await stdout, await stderr, clock.Elapsed);
    }
}
