using System.Security.Cryptography;
using MmapActors.Remote;
using Xunit.Abstractions;

namespace MmapActors.Tests.Remote;

/// <summary>The server as a separate OS process (mmapctl serve), driven from this process over loopback TCP.
/// Run alone: they measure memory and count the server's descriptors.</summary>
[Collection(NonParallelCollection.Name)]
public sealed class ServerProcessTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const long Range = 256L << 20;
    private readonly string _root = Directory.CreateTempSubdirectory("mmap-process-").FullName;
    private ServerProcess _server = null!;
    private MmapClient _client = null!;

    public async Task InitializeAsync()
    {
        // A quick failure detector so that a killed client's handles are released within seconds.
        string config = Path.Combine(_root, "..", Path.GetFileName(_root) + ".hocon");
        await File.WriteAllTextAsync(config, """
            akka.loglevel = WARNING
            akka.remote.watch-failure-detector { heartbeat-interval = 500ms, acceptable-heartbeat-pause = 2s }
            mmap.idle-timeout = 1s
            """);
        // The transfer keeps at most window x chunk (1 MiB) alive, but each chunk leaves garbage (the reply and its
        // serialized form, ~128 KiB); the default gen0 budget lets ~80 MiB of it pile up between collections. The
        // setting docs/remote.md recommends for memory-tight servers makes the heap track the live data.
        _server = await ServerProcess.StartAsync(_root, config, new Dictionary<string, string> { ["DOTNET_GCgen0size"] = "0x2000000" });
        _client = await MmapRemote.ConnectAsync(_server.Address);
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
        File.Delete(Path.Combine(Path.GetDirectoryName(_root)!, Path.GetFileName(_root) + ".hocon"));
    }

    [Fact]
    public async Task Open_read_write_resize_and_flush_round_trip_with_a_server_process()
    {
        await File.WriteAllBytesAsync(Path.Combine(_root, "f.bin"), new byte[4096]);
        await using var file = await _client.OpenAsync("f.bin");

        await file.WriteAtAsync(10, "across processes"u8.ToArray());
        await file.ResizeAsync(8192);
        await file.WriteAtAsync(8000, "grown"u8.ToArray());
        await file.FlushAsync();

        Assert.Equal("across processes"u8.ToArray(), await file.ReadAtAsync(10, 16));
        byte[] disk = await File.ReadAllBytesAsync(Path.Combine(_root, "f.bin"));
        Assert.Equal(8192, disk.Length);
        Assert.Equal("grown"u8.ToArray(), disk.AsSpan(8000, 5).ToArray());
    }

    [Fact]
    public async Task A_256_MiB_range_streams_with_memory_far_below_its_size_on_both_sides()
    {
        string path = Path.Combine(_root, "big.bin");
        byte[] expectedHash = await WritePatternFileAsync(path, Range);
        await using var file = await _client.OpenAsync("big.bin", access: MmapAccess.Read);
        long serverBefore = _server.ResidentAnonymousBytes();
        // The client is this test host, whose GC cannot be tuned from here: measure what it keeps alive (a full
        // collection at each sample), since garbage waiting for a collection is not buffering.
        long clientBefore = GC.GetTotalMemory(forceFullCollection: true);
        long serverPeak = serverBefore, clientPeak = clientBefore;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                serverPeak = Math.Max(serverPeak, _server.ResidentAnonymousBytes());
                clientPeak = Math.Max(clientPeak, GC.GetTotalMemory(forceFullCollection: true));
                await Task.Delay(50);
            }
        });
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var sink = new HashingSink(sha);

        long n = await file.ReadRangeAsync(0, Range, sink);
        await sampling.CancelAsync();
        await sampler;

        Assert.Equal(Range, n);
        Assert.Equal(expectedHash, sha.GetHashAndReset());
        long serverGrowth = serverPeak - serverBefore, clientGrowth = clientPeak - clientBefore;
        output.WriteLine($"256 MiB range: server anonymous memory +{serverGrowth >> 20} MiB at peak, client live heap +{clientGrowth >> 20} MiB at peak");
        Assert.True(serverGrowth < 64L << 20, $"server anonymous memory grew by {serverGrowth >> 20} MiB for a {Range >> 20} MiB range");
        Assert.True(clientGrowth < 64L << 20, $"client live heap grew by {clientGrowth >> 20} MiB for a {Range >> 20} MiB range");
    }

    [Fact]
    public async Task A_transfer_cut_off_by_killing_the_client_leaves_nothing_open_on_the_server()
    {
        string path = Path.Combine(_root, "cut.bin");
        await WritePatternFileAsync(path, Range);
        using var reader = ServerProcess.StartMmapctl("get", "cut.bin", "-o", "/dev/null", "--server", _server.Address);
        try
        {
            // Stats show a client only its own handles; the server process's own descriptors and maps tell the truth.
            await WaitUntilAsync(() => Task.FromResult(_server.HeldOn(path).Mappings > 0), TimeSpan.FromSeconds(30));
        }
        finally
        {
            reader.Kill(entireProcessTree: true); // SIGKILL: no goodbye, the TCP connection just drops
            await reader.WaitForExitAsync();
        }

        await WaitUntilAsync(() => Task.FromResult(_server.HeldOn(path) == (0, 0)), TimeSpan.FromSeconds(30));
        // ... and it keeps serving everyone else.
        await using var file = await _client.OpenAsync("cut.bin", access: MmapAccess.Read);
        Assert.Equal(1024, (await file.ReadAtAsync(0, 1024)).Length);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"condition not met within {timeout}");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>Writes a file of <paramref name="length"/> bytes in 1 MiB blocks that differ from each other.</summary>
    private static async Task<byte[]> WritePatternFileAsync(string path, long length)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var block = RandomNumberGenerator.GetBytes(1 << 20);
        await using var stream = File.Create(path);
        for (long written = 0, i = 0; written < length; written += block.Length, i++)
        {
            BitConverter.TryWriteBytes(block, i);
            await stream.WriteAsync(block);
            sha.AppendData(block);
        }
        return sha.GetHashAndReset();
    }

    /// <summary>A write-only stream that only hashes: the client keeps nothing of what it receives.</summary>
    private sealed class HashingSink(IncrementalHash sha) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => sha.AppendData(buffer, offset, count);
        public override void Write(ReadOnlySpan<byte> buffer) => sha.AppendData(buffer);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            sha.AppendData(buffer.Span);
            return ValueTask.CompletedTask;
        }
    }
}
