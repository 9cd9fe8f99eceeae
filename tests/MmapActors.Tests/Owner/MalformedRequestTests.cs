using Akka.Actor;
using Akka.TestKit.Xunit2;
using MmapActors.Actors;
using MmapActors.Owner;
using MmapActors.Protocol;
using MmapActors.Tests.Actors;
using Xunit.Abstractions;

namespace MmapActors.Tests.Owner;

/// <summary>Requests with missing values (as a hostile or broken peer can send them) are answered with a typed error;
/// the owner neither throws nor restarts.</summary>
public sealed class MalformedRequestTests(ITestOutputHelper output) : TestKit("akka.loglevel = WARNING", output)
{
    public static TheoryData<string> Requests => new(Malformed.Keys);

    private static readonly Dictionary<string, MapOperation?> Malformed = new()
    {
        ["no operation"] = null,
        ["a batch without a list"] = new Batch(null!),
        ["a batch with a null operation"] = new Batch([Tell.Instance, null!]),
        ["a compare-and-swap without values"] = new CompareAndSwap(0, null!, null!),
        ["a find without a needle"] = new Find(null!),
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task A_request_with_a_missing_value_is_a_typed_error_and_the_owner_keeps_its_handles(string name)
    {
        using var file = new TempFile(4096, seed: 4);
        await using var client = MmapClient.Create(Sys);
        await using var handle = await client.OpenAsync(file.Path);
        await handle.SeekAsync(7);
        var opened = await MmapExtension.Get(Sys).Supervisor.Ask<MapOpened>(new OpenMap(new MapOptions(file.Path), TestActor));

        opened.Owner.Tell(new MapRequest(opened.HandleId, Malformed[name]!));

        var reply = ExpectMsg<MapReply>();
        if (reply is BatchReply batch)
        {
            Assert.Equal(MmapErrorCode.InvalidRequest, batch.Error!.Code);
        }
        else
        {
            Assert.Equal(MmapErrorCode.InvalidRequest, Assert.IsType<MmapError>(reply).Code);
        }
        Assert.Equal(7, await handle.TellAsync()); // still serving (a restart would have answered OwnerRestarted above)
    }

    [Fact]
    public void SharedFile_answers_a_null_operation_with_an_error_instead_of_throwing()
    {
        using var file = new TempFile(4096, seed: 4);
        var shared = new SharedFile(file.Path, file.Path, null, OwnerTestSettings.Default, new ResourceBudget(OwnerTestSettings.Default));
        long id = shared.Open(new MapOptions(file.Path), "c").Id;
        Assert.Equal(MmapErrorCode.InvalidRequest, Assert.IsType<MmapError>(shared.Execute(id, null)).Code);
        Assert.Equal(MmapErrorCode.InvalidRequest, Assert.IsType<MmapError>(shared.Execute(999, null)).Code);
        shared.CloseAll();
    }
}
