using Akka.Actor;
using Akka.Configuration;

namespace MmapActors.Benchmarks.Setup;

/// <summary>
/// Everything the client figures share: the <see cref="BenchFile"/>, one ActorSystem, one <see cref="MmapClient"/>
/// and <see cref="HandleCount"/> handles on the same file (one per concurrent caller, as independent workers
/// would have), each pre-faulted.
/// </summary>
internal sealed class BenchEnvironment : IAsyncDisposable
{
    /// <summary>The most concurrent callers any figure uses.</summary>
    public const int HandleCount = 16;

    private BenchEnvironment(BenchFile file, ActorSystem system, MmapClient client, IMappedFile[] handles)
    {
        File = file;
        System = system;
        Client = client;
        Handles = handles;
    }

    /// <summary>The file.</summary>
    public BenchFile File { get; }

    /// <summary>The one ActorSystem (log level WARNING).</summary>
    public ActorSystem System { get; }

    /// <summary>The client every handle was opened through.</summary>
    public MmapClient Client { get; }

    /// <summary><see cref="HandleCount"/> handles on <see cref="File"/>; caller <c>i</c> uses handle <c>i</c>.</summary>
    public IReadOnlyList<IMappedFile> Handles { get; }

    /// <summary>Writes the file, starts the system and opens and pre-faults the handles.</summary>
    /// <param name="extraConfig">HOCON that takes precedence over the bench's settings and the library's defaults.</param>
    public static async Task<BenchEnvironment> CreateAsync(string? extraConfig = null)
    {
        var file = BenchFile.Create();
        var config = ConfigurationFactory.ParseString("""
            akka.loglevel = WARNING
            akka.stdout-loglevel = WARNING
            """);
        if (!string.IsNullOrWhiteSpace(extraConfig))
        {
            config = ConfigurationFactory.ParseString(extraConfig).WithFallback(config);
        }
        ActorSystem? system = null;
        try
        {
            system = ActorSystem.Create("mmap-bench", config);
            var client = MmapClient.Create(system);
            var handles = new IMappedFile[HandleCount];
            for (int i = 0; i < handles.Length; i++)
            {
                handles[i] = await client.OpenAsync(file.Path).ConfigureAwait(false);
            }
            // Each handle is its own mapping with its own page tables: fault every page of every one in now, or the
            // first figures would pay for ~1M minor faults that later ones do not.
            await Task.WhenAll(handles.Select(PrefaultAsync)).ConfigureAwait(false);
            return new BenchEnvironment(file, system, client, handles);
        }
        catch
        {
            if (system is not null)
            {
                await system.Terminate().ConfigureAwait(false);
            }
            file.Dispose();
            throw;
        }
    }

    private static async Task PrefaultAsync(IMappedFile handle)
    {
        var buffer = new byte[1 << 20];
        for (long offset = 0; offset < BenchFile.Length; offset += buffer.Length)
        {
            await handle.ReadAtAsync(offset, buffer.AsMemory()).ConfigureAwait(false);
        }
    }

    /// <summary>Closes the handles, terminates the system (which flushes and closes the maps) and deletes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            foreach (var handle in Handles)
            {
                await handle.DisposeAsync().ConfigureAwait(false);
            }
            await Client.DisposeAsync().ConfigureAwait(false);
            await System.Terminate().ConfigureAwait(false);
        }
        finally
        {
            File.Dispose();
        }
    }
}
