using Akka.Actor;
using Akka.TestKit.Xunit2;
using MmapActors.Actors;
using MmapActors.Protocol;
using Xunit.Abstractions;

namespace MmapActors.Tests.Actors;

/// <summary>The supervisor of a served root sweeps abandoned uploads when it starts and before the first temporary
/// upload it creates in a directory, and says what it removed at INFO.</summary>
public sealed class StaleUploadSupervisorTests : TestKit, IDisposable
{
    private const string Hex = "0123456789abcdef";

    private readonly string _root;

    public StaleUploadSupervisorTests(ITestOutputHelper output)
        : this(Directory.CreateTempSubdirectory("stale-supervisor-").FullName, output)
    {
    }

    private StaleUploadSupervisorTests(string root, ITestOutputHelper output)
        : base($"akka.loglevel = INFO\nmmap.served-root = \"{root}\"", output)
    {
        _root = root;
        Directory.CreateDirectory(Path.Combine(_root, "sub"));
    }

    private IActorRef Supervisor => MmapExtension.Get(Sys).Supervisor;

    void IDisposable.Dispose()
    {
        Shutdown();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task The_supervisor_sweeps_the_served_root_when_it_starts_and_logs_what_it_removed()
    {
        string stale = Stale("", $".a.{Hex}.part");
        string fresh = Path.Combine(_root, ".b.fedcba9876543210.part");
        File.WriteAllText(fresh, "arriving");

        await EventFilter.Info(contains: $"Removed 1 abandoned upload(s)").ExpectOneAsync(() =>
        {
            _ = Supervisor;
            return Task.CompletedTask;
        });

        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(fresh));
    }

    [Fact]
    public async Task Creating_a_temporary_upload_first_sweeps_its_directory_once_and_the_create_succeeds()
    {
        string stale = Stale("sub", $".a.{Hex}.part");
        var client = CreateTestProbe();

        await EventFilter.Info(contains: $"'sub/.a.{Hex}.part'").ExpectOneAsync(() =>
        {
            Supervisor.Tell(new CreateFile("sub/.new.fedcba9876543210.part", 10), client.Ref);
            client.ExpectMsg<Done>();
            return Task.CompletedTask;
        });
        Assert.False(File.Exists(stale));
        Assert.Equal(10, new FileInfo(Path.Combine(_root, "sub", ".new.fedcba9876543210.part")).Length);

        // Once per directory: a file abandoned later is the next process's to remove.
        string later = Stale("sub", $".b.{Hex}.part");
        Supervisor.Tell(new CreateFile("sub/.other.fedcba9876543210.part", 0), client.Ref);
        client.ExpectMsg<Done>();
        Assert.True(File.Exists(later));
    }

    [Fact]
    public void Creating_an_ordinary_file_sweeps_nothing()
    {
        string stale = Stale("sub", $".a.{Hex}.part");
        var client = CreateTestProbe();

        Supervisor.Tell(new CreateFile("sub/plain.bin", 10), client.Ref);
        client.ExpectMsg<Done>();

        Assert.True(File.Exists(stale));
    }

    private string Stale(string directory, string name)
    {
        string path = Path.Combine(_root, directory, name);
        File.WriteAllText(path, "half an upload");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddHours(-2));
        return path;
    }
}
