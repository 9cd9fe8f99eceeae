using Akka.Actor;
using Akka.TestKit.Xunit2;
using MmapActors.Protocol;
using MmapActors.Tests.Actors;
using Xunit.Abstractions;

namespace MmapActors.Tests.Owner;

/// <summary>Callers tell outcomes apart by <see cref="MmapErrorCode"/> and by <see cref="MmapTimeoutException"/>, never by
/// reading messages (which stay CPython's).</summary>
public sealed class TypedOutcomeTests(ITestOutputHelper output)
    : TestKit("akka.loglevel = WARNING\nmmap.limits.max-range-length = 4KiB", output)
{
    [Fact]
    public async Task A_compare_and_swap_mismatch_out_of_range_closed_read_only_and_leased_errors_each_have_their_code()
    {
        using var file = new TempFile(8192, seed: 3);
        await using var client = MmapClient.Create(Sys);
        await using var handle = await client.OpenAsync(file.Path);
        await using var reader = await client.OpenAsync(file.Path, access: MmapAccess.Read);

        var mismatch = await handle.BatchAsync([new CompareAndSwap(0, [1, 2], [3, 4])]);
        Assert.Equal(MmapErrorCode.CompareAndSwapFailed, mismatch.Error!.Code);
        Assert.False(await handle.CompareAndSwapAsync(0, new byte[] { 1, 2 }, new byte[] { 3, 4 }));

        Assert.Equal(MmapErrorCode.OutOfRange, (await Assert.ThrowsAsync<MmapException>(() => handle.ReadAtAsync(9000, 1))).Code);
        Assert.Equal(MmapErrorCode.OutOfRange, (await Assert.ThrowsAsync<MmapException>(() => handle.GetItemAsync(8192))).Code);
        Assert.Equal(MmapErrorCode.OutOfRange, (await Assert.ThrowsAsync<MmapException>(() => handle.SeekAsync(-1))).Code);
        Assert.Equal(MmapErrorCode.LimitExceeded, (await Assert.ThrowsAsync<MmapException>(() => handle.ToArrayAsync())).Code);
        Assert.Equal(MmapErrorCode.ReadOnly, (await Assert.ThrowsAsync<MmapException>(() => reader.WriteAtAsync(0, new byte[] { 1 }))).Code);

        await handle.AcquireLeaseAsync();
        Assert.Equal(MmapErrorCode.Leased, (await Assert.ThrowsAsync<MmapException>(() => handle.CloseAsync())).Code);
        await handle.ReleaseLeaseAsync();
        await handle.CloseAsync();
        Assert.Equal(MmapErrorCode.Closed, (await Assert.ThrowsAsync<MmapException>(() => handle.TellAsync())).Code);
    }

    [Fact]
    public void A_codeless_error_keeps_the_code_its_kind_and_message_give_and_an_explicit_code_survives_the_round_trip()
    {
        Assert.Equal(MmapErrorCode.None, new MmapError(MmapErrorKind.OSError, "[Errno 5] Input/output error", 5).Code);
        var limit = new MmapException(MmapErrorKind.ValueError, "anything") { Code = MmapErrorCode.LimitExceeded };
        Assert.Equal(MmapErrorCode.LimitExceeded, MmapError.From(limit).ToException().Code);
    }

    [Fact]
    public async Task Every_client_call_that_times_out_throws_MmapTimeoutException()
    {
        var silent = Sys.ActorOf(Props.Empty);
        await using var client = MmapClient.Create(Sys, silent, TimeSpan.FromMilliseconds(200));
        var handle = new Client.MappedFile(new MapOpened(silent, 1, "silent", MmapAccess.Default), TimeSpan.FromMilliseconds(200), Sys.WhenTerminated);

        var calls = new (string Name, Func<Task> Call)[]
        {
            ("OpenAsync", () => client.OpenAsync("x")),
            ("CreateFileAsync", () => client.CreateFileAsync("x", 1)),
            ("ListDirectoryAsync", () => client.ListDirectoryAsync(".")),
            ("GetStatsAsync", () => client.GetStatsAsync()),
            ("TellAsync", () => handle.TellAsync()),
            ("BatchAsync", () => handle.BatchAsync([Tell.Instance])),
            ("ReadAtAsync", () => handle.ReadAtAsync(0, 1)),
        };
        foreach (var (name, call) in calls)
        {
            var e = await Record.ExceptionAsync(call);
            Assert.True(e is MmapTimeoutException, $"{name} threw {e?.GetType().Name ?? "nothing"}");
        }
    }
}
