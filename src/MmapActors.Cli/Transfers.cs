using System.CommandLine;

namespace MmapActors.Cli;

/// <summary>
/// <c>put</c> and <c>get</c>: transfers that cannot lie. An upload goes to a temporary name next to its target and is
/// renamed into place (after an fsync) only once every byte is written, so readers see the old file or the complete new
/// one and an interrupted upload leaves no file under the final name. A download goes to <c>FILE.part</c> and is
/// renamed when complete; <c>--resume</c> continues a <c>.part</c> file.
/// </summary>
internal static class Transfers
{
    /// <summary>Bytes of a download's first block checked for binary content before it may go to a terminal.</summary>
    private const int SniffLength = 4096;

    /// <summary>First read of a piped upload: enough to tell an empty input from a non-empty one.</summary>
    private const int FirstBlock = 64 << 10;

    /// <summary>How a piped upload of unknown length grows its temporary file: doubling from 16 MiB, at most 1 GiB at a time.</summary>
    private const long MinGrowth = 16 << 20, MaxGrowth = 1L << 30;

    public static Command Get()
    {
        var path = new Argument<string>("path") { Description = "The file to read" };
        var offset = new Option<long>("--offset") { Description = "First byte to read (4096, 64k, 1G...)", CustomParser = ClientCommands.ParseSize };
        var length = new Option<long?>("--length") { Description = "Bytes to read (default: to the end)", CustomParser = r => ClientCommands.ParseSize(r) };
        var output = new Option<string?>("--output", "-o") { Description = "Write to this file (or into this directory); '-' for standard output" };
        var resume = new Option<bool>("--resume", "--continue") { Description = "Continue an interrupted download from OUTPUT.part" };
        var config = ClientCommands.ConfigOption();
        var command = new Command("get", "Download a file or a range of it (streamed, any size; written to OUTPUT.part, then renamed)")
        {
            path, offset, length, output, resume, config,
        };
        command.SetAction((parse, ct) => ClientCommands.RunAsync(parse, config, ct, async (client, token) =>
        {
            string source = parse.GetValue(path)!;
            string? target = parse.GetValue(output);
            if (parse.GetValue(resume) && target is null or "-")
            {
                throw CliException.Usage("--resume needs -o FILE (a download to standard output cannot be continued)");
            }
            if (target is not null and not "-" && Directory.Exists(target))
            {
                target = Path.Combine(target, Path.GetFileName(source.TrimEnd('/')));
            }
            var status = await client.StatAsync(source, token);
            if (status.Kind != "file")
            {
                throw new MmapException(MmapErrorKind.OSError,
                    status.Kind == "directory" ? $"[Errno 21] Is a directory: '{source}'" : $"[Errno 19] No such device: '{source}' is not a regular file", status.Kind == "directory" ? 21 : 19);
            }
            long from = parse.GetValue(offset);
            if (from > status.Size)
            {
                throw new MmapException(MmapErrorKind.ValueError, "read position out of range");
            }
            long count = Math.Min(parse.GetValue(length) ?? long.MaxValue, status.Size - from);
            bool quiet = ClientCommands.IsQuiet(parse);

            if (target is null or "-")
            {
                await using var stdout = Console.OpenStandardOutput();
                await ReadAsync(client, source, from, count, stdout, refuseBinaryTerminal: target is null, label: $"get {source}", quiet, alreadyDone: 0, token);
                return ExitCodes.Success;
            }

            string part = target + ".part";
            long done = 0;
            if (parse.GetValue(resume) && File.Exists(part))
            {
                done = new FileInfo(part).Length;
                if (done > count)
                {
                    throw CliException.Usage($"{part} holds {done} bytes, more than the {count} to download: not a partial download of this range");
                }
            }
            await using (var sink = new FileStream(part, done > 0 ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 20, FileOptions.Asynchronous))
            {
                try
                {
                    await ReadAsync(client, source, from + done, count - done, sink, refuseBinaryTerminal: false, $"get {source}", quiet, done, token);
                    await sink.FlushAsync(token);
                    sink.Flush(flushToDisk: true);
                }
                catch (Exception) when (sink.Length > 0)
                {
                    await sink.FlushAsync(CancellationToken.None);
                    Console.Error.WriteLine($"mmapctl: {sink.Length} of {count} bytes kept in {part}; run the same command with --resume to continue");
                    throw;
                }
                catch (Exception)
                {
                    // Nothing arrived: no empty .part file left behind.
                    await sink.DisposeAsync();
                    File.Delete(part);
                    throw;
                }
            }
            File.Move(part, target, overwrite: true);
            return ExitCodes.Success;
        }));
        return command;
    }

    public static Command Put()
    {
        var path = new Argument<string>("path") { Description = "The file to write: replaced atomically by the new content (created if missing)" };
        var offset = new Option<long?>("--offset")
        {
            Description = "Patch the existing file in place at this offset instead (grown if short; not atomic)", CustomParser = r => ClientCommands.ParseSize(r),
        };
        var input = new Option<string?>("--input", "-i") { Description = "Read from this file; '-' or absent: standard input (streamed, not spooled)" };
        var config = ClientCommands.ConfigOption();
        var command = new Command("put", "Upload a file or standard input to the server (streamed, any size; renamed into place when complete)")
        {
            path, offset, input, config,
        };
        command.SetAction((parse, ct) =>
        {
            // Local checks first: a bad input fails before any connection is made.
            string? inputPath = parse.GetValue(input);
            Stream source;
            try
            {
                source = OpenInput(inputPath);
            }
            catch (Exception e)
            {
                return Task.FromResult(ClientCommands.Report(e, verbose: false, interrupted: false));
            }
            return ClientCommands.RunAsync(parse, config, ct, async (client, token) =>
            {
                await using var stream = source;
                string target = parse.GetValue(path)!;
                long? known = stream.CanSeek ? stream.Length : null;
                var progress = ProgressBar.Start($"put {target}", known, ClientCommands.IsQuiet(parse));
                bool completed = false;
                try
                {
                    if (parse.GetValue(offset) is { } at)
                    {
                        await PatchAsync(client, target, at, stream, known, progress, token);
                    }
                    else
                    {
                        await ReplaceAsync(client, target, stream, known, progress, token);
                    }
                    completed = true;
                }
                finally
                {
                    progress.Finish(completed);
                }
                return ExitCodes.Success;
            });
        });
        return command;
    }

    private static Stream OpenInput(string? inputPath)
    {
        if (inputPath is null or "-")
        {
            if (!Console.IsInputRedirected)
            {
                throw CliException.Usage("put reads the upload from standard input, which is a terminal: give -i FILE, or pipe the data in");
            }
            return Console.OpenStandardInput();
        }
        if (Directory.Exists(inputPath))
        {
            throw CliException.Usage($"-i {inputPath}: is a directory (put uploads one file)");
        }
        if (!File.Exists(inputPath))
        {
            throw new CliException(ExitCodes.NotFound, $"-i {inputPath}: no such file");
        }
        var stream = new FileStream(inputPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 20, FileOptions.Asynchronous | FileOptions.SequentialScan);
        // A FIFO or character device is read like standard input, to its end.
        return stream;
    }

    /// <summary>Writes the whole input under a temporary name, then commits it over <paramref name="target"/>.</summary>
    private static async Task ReplaceAsync(MmapClient client, string target, Stream source, long? known, ProgressBar progress, CancellationToken token)
    {
        string temporary = ServedRoot.TemporaryNameFor(target);
        byte[] first = [];
        if (known is null)
        {
            first = new byte[FirstBlock];
            int read = await source.ReadAtLeastAsync(first, first.Length, throwOnEndOfStream: false, token);
            Array.Resize(ref first, read);
        }
        long length = known ?? first.Length;
        bool created = false;
        try
        {
            // Inside the try: an interruption while the create is in flight must still discard what the server made.
            await client.CreateFileAsync(temporary, length, token);
            created = true;
            if (length > 0)
            {
                await using var file = await client.OpenAsync(temporary, cancellationToken: token);
                long written = known is { } total
                    ? await file.WriteRangeAsync(0, source, total, progress, token)
                    : await StreamAsync(file, first, source, progress, token);
                if (known is { } expected && written != expected)
                {
                    throw new IOException($"the input ended after {written} of {expected} bytes (did it change while being read?)");
                }
                await file.FlushAsync(cancellationToken: token);
            }
            // An interruption that arrived while the last bytes were in flight still means "do not publish".
            token.ThrowIfCancellationRequested();
            await client.CommitFileAsync(temporary, target, cancellationToken: token);
        }
        catch (Exception e) when (created || e is not MmapException)
        {
            // Best effort, and not cancellable by the interruption that brought us here: leave nothing behind.
            using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await client.CommitFileAsync(temporary, target, discard: true, cancellationToken: cleanup.Token);
            }
            catch (Exception)
            {
                Console.Error.WriteLine($"mmapctl: could not remove the unfinished upload {temporary}");
            }
            throw;
        }
    }

    /// <summary>Streams an input of unknown length (a pipe) into a temporary file that grows in steps, then trims it.</summary>
    private static async Task<long> StreamAsync(IMappedFile file, byte[] first, Stream source, ProgressBar progress, CancellationToken token)
    {
        await file.WriteRangeAsync(0, new MemoryStream(first, writable: false), first.Length, cancellationToken: token);
        long written = first.Length, capacity = first.Length;
        progress.Report(written);
        var offsetProgress = new Progress(progress, () => written);
        while (true)
        {
            long growth = Math.Clamp(capacity, MinGrowth, MaxGrowth);
            try
            {
                await file.ResizeAsync(capacity + growth, token);
            }
            catch (MmapException e) when (Diagnostics.MmapRefusals.Classify(e) == Diagnostics.MmapRefusals.Limit && growth > MinGrowth)
            {
                // The step passed a size limit the data may not reach: grow by the minimum instead.
                growth = MinGrowth;
                await file.ResizeAsync(capacity + growth, token);
            }
            capacity += growth;
            long read = await file.WriteRangeAsync(written, source, capacity - written, offsetProgress, token);
            written += read;
            if (written < capacity)
            {
                break;
            }
        }
        await file.ResizeAsync(written, token);
        return written;
    }

    /// <summary><c>put --offset</c>: writes into the existing file in place (created if missing, grown if short).</summary>
    private static async Task PatchAsync(MmapClient client, string target, long at, Stream source, long? known, ProgressBar progress, CancellationToken token)
    {
        if (known is null)
        {
            throw CliException.Usage("put --offset needs -i FILE (the length of a piped input is not known in advance)");
        }
        long need = at + known.Value;
        try
        {
            await client.StatAsync(target, token);
        }
        catch (MmapException e) when (e.Errno == 2)
        {
            await client.CreateFileAsync(target, need, token);
        }
        if (known == 0)
        {
            return;
        }
        await using var file = await client.OpenAsync(target, cancellationToken: token);
        if (await file.LengthAsync(token) < need)
        {
            await file.ResizeAsync(need, token);
        }
        await file.WriteRangeAsync(at, source, known, progress, token);
        await file.FlushAsync(cancellationToken: token);
    }

    private static async Task ReadAsync(MmapClient client, string source, long from, long count, Stream sink, bool refuseBinaryTerminal,
        string label, bool quiet, long alreadyDone, CancellationToken token)
    {
        var progress = ProgressBar.Start(label, alreadyDone + count, quiet, alreadyDone);
        bool completed = false;
        try
        {
            if (count > 0)
            {
                await using var file = await client.OpenAsync(source, access: MmapAccess.Read, cancellationToken: token);
                if (refuseBinaryTerminal && !Console.IsOutputRedirected)
                {
                    byte[] head = await file.ReadAtAsync(from, (int)Math.Min(count, SniffLength), token);
                    if (Array.IndexOf(head, (byte)0) >= 0)
                    {
                        throw CliException.Usage($"{source} looks binary and standard output is a terminal: use -o FILE, or -o - to print it anyway");
                    }
                }
                await file.ReadRangeAsync(from, count, sink, progress, token);
            }
            completed = true;
        }
        finally
        {
            progress.Finish(completed);
        }
    }

    /// <summary>Reports a range's progress as the whole transfer's (the range starts after <c>written</c> bytes).</summary>
    private sealed class Progress(ProgressBar inner, Func<long> before) : IProgress<long>
    {
        public void Report(long value) => inner.Report(before() + value);
    }
}
