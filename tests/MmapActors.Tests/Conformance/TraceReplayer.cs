using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Win32.SafeHandles;

namespace MmapActors.Tests.Conformance;

/// <summary>
/// Replays a CPython mmap trace (format: <c>shared/conformance/FORMAT.md</c>) against an
/// <see cref="IMapUnderTest"/> and lists every difference: status, result, error class, message and errno,
/// then closed / tell / len / exports / content_hash after each op, and the final file.
/// </summary>
/// <remarks>
/// The replayer is also the Python argument-binding layer for the few values a typed C# API cannot express:
/// a Python int beyond 64 bits, and <c>None</c> where CPython 3.13 requires an int. For those it raises what
/// CPython's argument conversion raises, after the closed check, as CPython 3.13 does. Ops tagged
/// <c>argtype</c> (an argument of the wrong Python type) are skipped, as FORMAT.md allows.
/// </remarks>
public sealed class TraceReplayer
{
    private readonly JsonElement _trace;
    private readonly string _name;

    public TraceReplayer(string name, JsonElement trace)
    {
        _name = name;
        _trace = trace;
    }

    public int SkippedOps { get; private set; }

    public int ComparedOps { get; private set; }

    /// <summary>Loads a trace file.</summary>
    public static TraceReplayer Load(string path)
    {
        using var stream = File.OpenRead(path);
        using var doc = JsonDocument.Parse(stream);
        return new TraceReplayer(Path.GetFileName(path), doc.RootElement.Clone());
    }

    /// <summary>Replays the trace in a fresh temporary directory.</summary>
    /// <param name="createSubject">Builds the map under test from the harness file path and read/write handle
    /// (both null for anonymous traces).</param>
    /// <returns>One line per mismatch, naming the trace, the op index, the expected and the actual outcome.</returns>
    /// <param name="workDirectory">Where to create the harness file (in a fresh subdirectory); the system temp
    /// directory when null. A served root, for replays through a server.</param>
    public async Task<IReadOnlyList<string>> ReplayAsync(Func<string?, SafeFileHandle?, IMapUnderTest> createSubject, string? workDirectory = null)
    {
        var problems = new List<string>();
        string dir = workDirectory is null
            ? Directory.CreateTempSubdirectory("mmap-trace-").FullName
            : Directory.CreateDirectory(Path.Combine(workDirectory, "trace-" + Guid.NewGuid().ToString("N"))).FullName;
        string? path = null;
        SafeFileHandle? readWrite = null;
        try
        {
            var initial = _trace.GetProperty("initial_file");
            if (initial.ValueKind != JsonValueKind.Null)
            {
                path = Path.Combine(dir, "data.bin");
                await File.WriteAllBytesAsync(path, Convert.FromHexString(initial.GetProperty("hex").GetString()!));
                readWrite = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
            }
            long offset = _trace.GetProperty("scenario").GetProperty("offset").GetInt64();

            await using (var subject = createSubject(path, readWrite))
            {
                string? previousHash = null;
                foreach (var op in _trace.GetProperty("ops").EnumerateArray())
                {
                    if (Tags(op).Contains("argtype") || (!subject.SupportsDescriptors && IsInvalidDescriptorOpen(op)))
                    {
                        SkippedOps++;
                        continue;
                    }
                    ComparedOps++;
                    var outcome = await ExecuteAsync(subject, op, readWrite);
                    var state = await subject.StateAsync();
                    string? expectedHash = Nullable(op, "content_hash");
                    bool poisoned = op.GetProperty("op").GetString() == "resize" && expectedHash is null &&
                                    op.GetProperty("closed").ValueKind == JsonValueKind.False;
                    if (poisoned)
                    {
                        // Deviation D1: CPython truncated the file to `offset` before mremap failed, leaving a map
                        // that dies with SIGBUS when touched. MmapActors validates first, so the content must be
                        // exactly what it was before the op. Then mirror CPython's truncation so the recovery
                        // resize that follows, and every later op, compare byte for byte again.
                        if (state.ContentHash != previousHash)
                        {
                            problems.Add(Describe(op, $"deviation D1: content changed by a failed resize(0): {previousHash} -> {state.ContentHash}"));
                        }
                        RandomAccess.SetLength(readWrite!, offset);
                        state = state with { ContentHash = null };
                    }
                    Compare(op, outcome, state, problems);
                    previousHash = state.ContentHash;
                }
            }

            var final = _trace.GetProperty("final_file");
            if (final.ValueKind != JsonValueKind.Null)
            {
                readWrite!.Dispose();
                byte[] data = await File.ReadAllBytesAsync(path!);
                long length = final.GetProperty("length").GetInt64();
                string sha = final.GetProperty("sha256").GetString()!;
                string actual = Convert.ToHexStringLower(SHA256.HashData(data));
                if (data.Length != length || actual != sha)
                {
                    problems.Add($"{_name} final file: expected {length} bytes sha256 {sha}, actual {data.Length} bytes sha256 {actual}");
                }
            }
        }
        finally
        {
            readWrite?.Dispose();
            Directory.Delete(dir, recursive: true);
        }
        return problems;
    }

    private sealed record Outcome(JsonNode? Result, MmapException? Error, string? Unsupported = null);

    private static async Task<Outcome> ExecuteAsync(IMapUnderTest m, JsonElement op, SafeFileHandle? readWrite)
    {
        try
        {
            return new Outcome(await InvokeAsync(m, op, readWrite), null);
        }
        catch (MmapException e)
        {
            return new Outcome(null, e);
        }
        catch (NotSupportedException e)
        {
            return new Outcome(null, null, e.Message);
        }
    }

    private static async Task<JsonNode?> InvokeAsync(IMapUnderTest m, JsonElement op, SafeFileHandle? readWrite)
    {
        string name = op.GetProperty("op").GetString()!;
        var args = op.GetProperty("args").EnumerateArray().ToArray();
        switch (name)
        {
            case "open":
                await m.OpenAsync(ParseOpen(op, args));
                return null;
            case "file_truncate":
                RandomAccess.SetLength(readWrite!, args[0].GetInt64());
                return null;
            case "read":
                return Bytes(await m.ReadAsync(args.Length == 0 ? null : OptionalInt(args[0])));
            case "read_byte":
                return await m.ReadByteAsync();
            case "readline":
                return Bytes(await m.ReadLineAsync());
            case "write":
                return await m.WriteAsync(BytesArg(args[0]));
            case "write_byte":
                await m.WriteByteAsync(checked((int)args[0].GetInt64()));
                return null;
            case "seek":
                return await m.SeekAsync(args[0].GetInt64(), args.Length > 1 ? checked((int)args[1].GetInt64()) : 0);
            case "seekable":
                return await m.SeekableAsync();
            case "tell":
                return await m.TellAsync();
            case "find":
            case "rfind":
            {
                long? start = args.Length > 1 ? await IntOrNoneError(m, args[1]) : null;
                long? end = args.Length > 2 ? await IntOrNoneError(m, args[2]) : null;
                return await m.FindAsync(BytesArg(args[0]), start, end, name == "rfind");
            }
            case "flush":
                await m.FlushAsync(args.Length > 0 ? args[0].GetInt64() : null, args.Length > 1 ? args[1].GetInt64() : null);
                return null;
            case "madvise":
                await m.MadviseAsync(checked((int)args[0].GetInt64()), args.Length > 1 ? args[1].GetInt64() : null,
                    args.Length > 2 ? args[2].GetInt64() : null);
                return null;
            case "move":
                await m.MoveAsync(args[0].GetInt64(), args[1].GetInt64(), args[2].GetInt64());
                return null;
            case "resize":
                await m.ResizeAsync(args[0].GetInt64());
                return null;
            case "size":
                return await m.SizeAsync();
            case "len":
                return await m.LengthAsync();
            case "getitem":
                if (IsSlice(args[0], out var get))
                {
                    return Bytes(await m.GetSliceAsync(get.Start, get.Stop, get.Step));
                }
                return await m.GetItemAsync(await IndexArg(m, args[0]));
            case "setitem":
                if (IsSlice(args[0], out var set))
                {
                    await m.SetSliceAsync(set.Start, set.Stop, set.Step, BytesArg(args[1]));
                }
                else
                {
                    await m.SetItemAsync(args[0].GetInt64(), checked((int)args[1].GetInt64()));
                }
                return null;
            case "delitem":
                if (IsSlice(args[0], out var del))
                {
                    await m.DeleteSliceAsync(del.Start, del.Stop, del.Step);
                }
                else
                {
                    await m.DeleteItemAsync(args[0].GetInt64());
                }
                return null;
            case "iter":
            {
                int count = checked((int)args[0].GetInt64());
                var items = count == 0 ? [] : await m.IterateAsync(count);
                return new JsonArray(items.Select(b => (JsonNode?)Bytes([b])).ToArray());
            }
            case "contains":
                if (args[0].ValueKind == JsonValueKind.Number)
                {
                    // `97 in m` iterates the map and compares 1-byte bytes with an int: never found, but the
                    // iteration still needs an open map.
                    await m.LengthAsync();
                    return false;
                }
                return await m.ContainsAsync(BytesArg(args[0]));
            case "bytes":
                return Bytes(await m.ToArrayAsync());
            case "repr":
                return new JsonObject { ["str"] = await m.ReprAsync() };
            case "closed":
                return await m.ClosedAsync();
            case "enter":
                await m.LengthAsync(); // __enter__ is CHECK_VALID + return self
                return new JsonObject { ["mmap"] = "self" };
            case "exit":
            case "close":
                await m.CloseAsync();
                return null;
            case "buffer_acquire":
            {
                var (readOnly, bytes) = await m.AcquireBufferAsync();
                return new JsonObject { ["readonly"] = readOnly, ["nbytes"] = bytes };
            }
            case "buffer_release":
                await m.ReleaseBufferAsync();
                return null;
            default:
                throw new NotSupportedException($"op '{name}' is not known to the replayer");
        }
    }

    private static OpenArguments ParseOpen(JsonElement op, JsonElement[] args)
    {
        var target = args[0].ValueKind == JsonValueKind.Object
            ? args[0].GetProperty("fd").GetString() == "rw" ? TraceTarget.ReadWriteFile : TraceTarget.ReadOnlyFile
            : args[0].GetInt64() == -1 ? TraceTarget.Anonymous : TraceTarget.InvalidDescriptor;
        int? flags = null, prot = null, access = null;
        long? offset = null;
        bool? trackFd = null;
        if (op.TryGetProperty("kwargs", out var kwargs))
        {
            foreach (var kw in kwargs.EnumerateObject())
            {
                switch (kw.Name)
                {
                    case "flags": flags = kw.Value.GetInt32(); break;
                    case "prot": prot = kw.Value.GetInt32(); break;
                    case "access": access = kw.Value.GetInt32(); break;
                    case "offset": offset = kw.Value.GetInt64(); break;
                    case "trackfd": trackFd = kw.Value.GetBoolean(); break;
                    default: throw new NotSupportedException($"open keyword '{kw.Name}'");
                }
            }
        }
        return new OpenArguments(target, args[1].GetInt64(), flags, prot, access, offset, trackFd);
    }

    /// <summary>An int or None argument that CPython 3.13 converts with <c>Py_ssize_t</c>: None is a TypeError once the map is known to be open.</summary>
    private static async Task<long?> IntOrNoneError(IMapUnderTest m, JsonElement arg)
    {
        if (arg.ValueKind != JsonValueKind.Null)
        {
            return arg.GetInt64();
        }
        await m.LengthAsync(); // CHECK_VALID runs before argument parsing in 3.13
        throw new MmapException(MmapErrorKind.TypeError, "'NoneType' object cannot be interpreted as an integer");
    }

    /// <summary>A subscript index: a Python int beyond 64 bits cannot reach the C# API; CPython raises IndexError for it.</summary>
    private static async Task<long> IndexArg(IMapUnderTest m, JsonElement arg)
    {
        if (arg.ValueKind == JsonValueKind.Number)
        {
            return arg.GetInt64();
        }
        _ = BigInteger.Parse(arg.GetProperty("bigint").GetString()!, CultureInfo.InvariantCulture);
        await m.LengthAsync(); // subscripts run CHECK_VALID first
        throw new MmapException(MmapErrorKind.IndexError, "cannot fit 'int' into an index-sized integer");
    }

    private static long? OptionalInt(JsonElement arg) => arg.ValueKind == JsonValueKind.Null ? null : arg.GetInt64();

    private static bool IsSlice(JsonElement arg, out (long? Start, long? Stop, long? Step) slice)
    {
        if (arg.ValueKind == JsonValueKind.Object && arg.TryGetProperty("slice", out var parts))
        {
            var p = parts.EnumerateArray().Select(SliceIndex).ToArray();
            slice = (p[0], p[1], p[2]);
            return true;
        }
        slice = default;
        return false;
    }

    /// <summary>Slice bounds beyond 64 bits are clamped by CPython (<c>_PyEval_SliceIndex</c>), so clamping here is exact.</summary>
    private static long? SliceIndex(JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (e.ValueKind == JsonValueKind.Number)
        {
            return e.GetInt64();
        }
        var big = BigInteger.Parse(e.GetProperty("bigint").GetString()!, CultureInfo.InvariantCulture);
        return big > long.MaxValue ? long.MaxValue : big < long.MinValue ? long.MinValue : (long)big;
    }

    private static byte[] BytesArg(JsonElement arg) => Convert.FromHexString(arg.GetProperty("bytes").GetString()!);

    private static JsonNode Bytes(byte[] data) => data.Length <= 256
        ? new JsonObject { ["bytes"] = Convert.ToHexStringLower(data) }
        : new JsonObject { ["bytes_sha256"] = Convert.ToHexStringLower(SHA256.HashData(data)), ["length"] = data.Length };

    private void Compare(JsonElement op, Outcome got, MapState state, List<string> problems)
    {
        var diffs = new List<string>();
        string status = op.GetProperty("status").GetString()!;
        if (got.Unsupported is not null)
        {
            diffs.Add($"unsupported: {got.Unsupported}");
        }
        else if (status == "ok")
        {
            if (got.Error is not null)
            {
                diffs.Add($"status: expected ok {op.GetProperty("result").GetRawText()}, actual {got.Error.PythonTypeName}: {got.Error.Message}");
            }
            else
            {
                var expected = JsonNode.Parse(op.GetProperty("result").GetRawText());
                if (!JsonNode.DeepEquals(expected, got.Result))
                {
                    diffs.Add($"result: expected {expected?.ToJsonString() ?? "null"}, actual {got.Result?.ToJsonString() ?? "null"}");
                }
            }
        }
        else
        {
            var error = op.GetProperty("error");
            string type = error.GetProperty("type").GetString()!;
            string message = error.GetProperty("message").GetString()!;
            int? errno = error.GetProperty("errno").ValueKind == JsonValueKind.Null ? null : error.GetProperty("errno").GetInt32();
            if (got.Error is null)
            {
                diffs.Add($"status: expected {type}: {message}, actual ok {got.Result?.ToJsonString() ?? "null"}");
            }
            else if (got.Error.PythonTypeName != type || got.Error.Message != message || got.Error.Errno != errno)
            {
                diffs.Add($"error: expected {type}: {message} (errno {errno}), actual {got.Error.PythonTypeName}: {got.Error.Message} (errno {got.Error.Errno})");
            }
        }
        CompareState<bool>(op, "closed", state.Closed, diffs);
        CompareState<long>(op, "tell", state.Tell, diffs);
        CompareState<long>(op, "len", state.Length, diffs);
        CompareState<long>(op, "exports", state.Exports, diffs);
        if (Nullable(op, "content_hash") != state.ContentHash)
        {
            diffs.Add($"content_hash: expected {Nullable(op, "content_hash") ?? "null"}, actual {state.ContentHash ?? "null"}");
        }
        if (diffs.Count > 0)
        {
            problems.Add(Describe(op, string.Join("; ", diffs)));
        }
    }

    private static void CompareState<T>(JsonElement op, string key, T? actual, List<string> diffs) where T : struct
    {
        var e = op.GetProperty(key);
        string expected = e.ValueKind == JsonValueKind.Null ? "null" : e.GetRawText();
        string got = actual is null ? "null" : JsonSerializer.Serialize(actual.Value);
        if (expected != got)
        {
            diffs.Add($"{key}: expected {expected}, actual {got}");
        }
    }

    private string Describe(JsonElement op, string what) =>
        $"{_name} op {op.GetProperty("i").GetInt32()} {op.GetProperty("op").GetString()}{op.GetProperty("args").GetRawText()}: {what}";

    private static string? Nullable(JsonElement op, string key) =>
        op.TryGetProperty(key, out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;

    private static bool IsInvalidDescriptorOpen(JsonElement op) =>
        op.GetProperty("op").GetString() == "open" && op.GetProperty("args")[0] is { ValueKind: JsonValueKind.Number } fd && fd.GetInt64() == -2;

    private static IEnumerable<string> Tags(JsonElement op) =>
        op.TryGetProperty("tags", out var tags) ? tags.EnumerateArray().Select(t => t.GetString()!) : [];
}
