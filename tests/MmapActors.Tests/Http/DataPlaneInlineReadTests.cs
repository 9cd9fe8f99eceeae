using System.Reflection;
using Akka.TestKit.Xunit2;
using MmapActors.Client;
using MmapActors.Tests.Actors;
using Xunit.Abstractions;

namespace MmapActors.Tests.Http;

/// <summary>The data plane's chunk read on the caller's thread (<c>MappedFile.TryReadAtInline</c>): one owner turn, run
/// inline while the owner is idle, for a handle that many independent HTTP requests share.</summary>
public sealed class DataPlaneInlineReadTests(ITestOutputHelper output) : TestKit("akka.loglevel = WARNING", output)
{
    /// <summary>A local handle on <paramref name="file"/>, of the kind the data plane shares between requests; its
    /// client's session stops with the test's system.</summary>
    private async Task<MappedFile> OpenAsync(TempFile file) => (MappedFile)await MmapClient.Create(Sys).OpenAsync(file.Path);

    [Fact]
    public async Task A_chunk_is_read_on_the_calling_thread_while_the_owner_is_idle()
    {
        using var file = new TempFile(10_000, seed: 21);
        var handle = await OpenAsync(file);
        var buffer = new byte[4096];

        Assert.True(handle.TryReadAtInline(5000, buffer, CancellationToken.None, out int read));

        Assert.Equal(4096, read);
        Assert.Equal(file.ReadAll().AsSpan(5000, 4096).ToArray(), buffer);
    }

    [Fact]
    public async Task A_chunk_runs_inline_even_while_another_caller_of_the_shared_handle_waits_in_the_mailbox()
    {
        using var file = new TempFile(10_000, seed: 22);
        var handle = await OpenAsync(file);
        // As when another HTTP request's chunk went to the mailbox and is not answered yet: the handle's own rule sends
        // every call of the handle there, but a request that waits for each of its chunks cannot overtake its own.
        var inFlight = typeof(MappedFile).GetField("_inFlight", BindingFlags.Instance | BindingFlags.NonPublic)!;
        inFlight.SetValue(handle, 1);
        var buffer = new byte[100];

        Assert.True(handle.TryReadAtInline(0, buffer, CancellationToken.None, out int read));

        Assert.Equal(100, read);
        Assert.Equal(file.ReadAll().AsSpan(0, 100).ToArray(), buffer);
    }

    [Fact]
    public async Task An_error_of_the_inline_read_is_the_owners_error_and_a_cancelled_read_touches_nothing()
    {
        using var file = new TempFile(4096, seed: 23);
        var handle = await OpenAsync(file);
        var buffer = new byte[16];

        var error = Assert.Throws<MmapException>(() => handle.TryReadAtInline(5000, buffer, CancellationToken.None, out _));
        var expected = await Assert.ThrowsAsync<MmapException>(() => handle.ReadAtAsync(5000, buffer.AsMemory()));
        Assert.Equal((expected.Kind, expected.Message), (error.Kind, error.Message));

        Assert.Throws<OperationCanceledException>(() => handle.TryReadAtInline(0, buffer, new CancellationToken(canceled: true), out _));
        Assert.All(buffer, b => Assert.Equal(0, b));
    }
}
