using Akka.TestKit.Xunit2;
using Xunit.Abstractions;

namespace MmapActors.Tests.Actors;

[Collection(NonParallelCollection.Name)]
public sealed class LeakTests(ITestOutputHelper output) : TestKit("akka.loglevel = WARNING\nmmap.idle-timeout = 50ms", output)
{
    [Fact]
    public async Task A_thousand_open_close_cycles_leave_no_descriptor_or_mapping_behind()
    {
        using var file = new TempFile(64 * 1024);
        await using var client = MmapClient.Create(Sys);
        // Warm up so the runtime's own lazily created descriptors and mappings are not counted.
        await (await client.OpenAsync(file.Path)).DisposeAsync();
        await (await client.CreateAnonymousAsync(4096)).DisposeAsync();
        int descriptorsBefore = ProcSelf.Descriptors();
        int mappingsBefore = ProcSelf.Mappings();

        for (int i = 0; i < 1000; i++)
        {
            await using var handle = i % 4 == 3
                ? await client.CreateAnonymousAsync(8192)
                : await client.OpenAsync(file.Path, access: (MmapAccess)(i % 4));
            Assert.Single(await handle.ReadAtAsync(i, 1));
            Assert.Equal(1, ProcSelf.DescriptorsOn(file.Path) + (i % 4 == 3 ? 1 : 0));
        }

        Assert.Equal(0, ProcSelf.DescriptorsOn(file.Path));
        Assert.Equal(0, ProcSelf.MappingsOf(file.Path));
        await AwaitAssertAsync(() =>
        {
            // Other threads of the test host may open a descriptor or map a page meanwhile (and the runtime may
            // release hundreds of mappings): allow some growth (the runtime maps code and heap regions as it warms up), far below the thousand a leak would add. Only
            // growth can be a leak, so there is no lower bound.
            Assert.True(ProcSelf.Descriptors() - descriptorsBefore <= 10, $"descriptors grew by {ProcSelf.Descriptors() - descriptorsBefore}");
            Assert.True(ProcSelf.Mappings() - mappingsBefore <= 100, $"mappings grew by {ProcSelf.Mappings() - mappingsBefore}");
        }, TimeSpan.FromSeconds(5));
    }
}
