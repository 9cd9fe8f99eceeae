using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using MmapActors.Cluster;

namespace MmapActors.Tests.Cluster;

/// <summary>A search for a file's owner (what a stat through a cluster door uses) answers within its own bound, whatever
/// one silent member does: test probes stand in for the members' routers.</summary>
[Trait("Category", "Cluster")]
public sealed class OwnerSearchTests : TestKit
{
    private static readonly Address Member = new("akka.tcp", MmapCluster.SystemName, "10.0.0.2", 4053);

    [Fact]
    public void A_member_that_never_answers_does_not_delay_the_answer_beyond_the_search_timeout()
    {
        var silent = CreateTestProbe();
        var answering = CreateTestProbe();
        var timeout = TimeSpan.FromSeconds(2);

        // Measured from the start, so that a late first probe message on a loaded machine does not land the bound inside
        // the quiet wait.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Sys.ActorOf(OwnerSearch.Props("a.bin", [Selection(silent), Selection(answering)], TestActor, timeout));
        silent.ExpectMsg(new RunsOwner("a.bin"));
        answering.ExpectMsg(new RunsOwner("a.bin"));
        answering.Reply(new NoOwner("a.bin"));

        var quiet = TimeSpan.FromSeconds(1.5) - clock.Elapsed; // not before the bound: the silent one might still say yes
        if (quiet > TimeSpan.Zero)
        {
            ExpectNoMsg(quiet);
        }
        ExpectMsg(new NoOwner("a.bin"), TimeSpan.FromSeconds(5));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"answered {clock.Elapsed.TotalSeconds:0.0} s after the start, not at the 2 s bound");
    }

    [Fact]
    public void Later_noes_do_not_push_the_deadline_back()
    {
        var silent = CreateTestProbe();
        var slow = CreateTestProbe();
        var timeout = TimeSpan.FromSeconds(3);

        // The slow "no" comes 2 s in. A receive time-out would restart there and answer at 5 s at the earliest; the search's
        // own deadline answers at 3 s. Measured from the start, so that a slow start on a loaded machine (the probe's first
        // message late) does not make the deadline fall inside the quiet wait.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Sys.ActorOf(OwnerSearch.Props("a.bin", [Selection(silent), Selection(slow)], TestActor, timeout));
        slow.ExpectMsg(new RunsOwner("a.bin"));
        var quiet = TimeSpan.FromSeconds(2) - clock.Elapsed;
        if (quiet > TimeSpan.Zero)
        {
            ExpectNoMsg(quiet);
        }
        slow.Reply(new NoOwner("a.bin"));
        ExpectMsg(new NoOwner("a.bin"), TimeSpan.FromSeconds(5));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4.5), $"answered {clock.Elapsed.TotalSeconds:0.0} s after the start, not at the 3 s deadline");
    }

    [Fact]
    public void A_member_that_answers_yes_wins_at_once_while_another_stays_silent()
    {
        var silent = CreateTestProbe();
        var owner = CreateTestProbe();
        var location = new OwnerLocation("a.bin", Member);

        // The bound is far away: the answer must not wait for it.
        Within(TimeSpan.Zero, TimeSpan.FromSeconds(5), () =>
        {
            Sys.ActorOf(OwnerSearch.Props("a.bin", [Selection(silent), Selection(owner)], TestActor, TimeSpan.FromSeconds(30)));
            owner.ExpectMsg(new RunsOwner("a.bin"));
            owner.Reply(location);
            ExpectMsg(location);
        });
    }

    [Fact]
    public void When_every_member_says_no_the_answer_comes_at_once()
    {
        var probes = new[] { CreateTestProbe(), CreateTestProbe(), CreateTestProbe() };

        Within(TimeSpan.Zero, TimeSpan.FromSeconds(5), () =>
        {
            Sys.ActorOf(OwnerSearch.Props("a.bin", probes.Select(Selection).ToList(), TestActor, TimeSpan.FromSeconds(30)));
            foreach (var probe in probes)
            {
                probe.ExpectMsg(new RunsOwner("a.bin"));
                probe.Reply(new NoOwner("a.bin"));
            }
            ExpectMsg(new NoOwner("a.bin"));
        });
    }

    [Fact]
    public async Task The_search_timeout_defaults_well_below_the_ask_timeout_and_is_capped_at_it()
    {
        var defaults = MmapCluster.DefaultConfig;
        var search = defaults.GetTimeSpan("mmap.cluster.owner-search-timeout");
        Assert.Equal(TimeSpan.FromSeconds(2), search);
        Assert.True(search * 10 <= defaults.GetTimeSpan("mmap.ask-timeout"));

        Assert.Equal(TimeSpan.FromSeconds(2), await SearchTimeoutOfAsync(""));
        Assert.Equal(TimeSpan.FromMilliseconds(500), await SearchTimeoutOfAsync("mmap.cluster.owner-search-timeout = 500ms"));
        Assert.Equal(TimeSpan.FromSeconds(1), await SearchTimeoutOfAsync("mmap.ask-timeout = 1s"));
        var e = await Assert.ThrowsAsync<Akka.Configuration.ConfigurationException>(() => SearchTimeoutOfAsync("mmap.cluster.owner-search-timeout = 0s"));
        Assert.Contains("owner-search-timeout", e.Message);
    }

    private static async Task<TimeSpan> SearchTimeoutOfAsync(string config)
    {
        var system = ActorSystem.Create("settings", Akka.Configuration.ConfigurationFactory.ParseString("akka.loglevel = OFF\n" + config));
        try
        {
            return MmapClusterSettings.Create(system).OwnerSearchTimeout;
        }
        finally
        {
            await system.Terminate();
        }
    }

    private ActorSelection Selection(TestProbe probe) => Sys.ActorSelection(probe.Ref.Path);
}
