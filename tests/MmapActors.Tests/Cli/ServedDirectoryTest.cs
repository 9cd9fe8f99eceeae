using MmapActors.Tests.Remote;

namespace MmapActors.Tests.Cli;

/// <summary>
/// What every mmapctl process test stands on: a directory served by a real `mmapctl serve` process and a scratch
/// directory for the client's files, both fresh for each test and removed after it.
/// </summary>
public abstract class ServedDirectoryTest(string prefix) : IAsyncLifetime
{
    /// <summary>The served directory.</summary>
    protected string Root { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    /// <summary>The client's side: files to put, and where gets land.</summary>
    protected string ScratchDirectory { get; } = Directory.CreateTempSubdirectory(prefix + "scratch-").FullName;

    /// <summary>The server process serving <see cref="Root"/>.</summary>
    protected ServerProcess Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await ServerProcess.StartAsync(Root);

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(Root, recursive: true);
        Directory.Delete(ScratchDirectory, recursive: true);
    }
}
