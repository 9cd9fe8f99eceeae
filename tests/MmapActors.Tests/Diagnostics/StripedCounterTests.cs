using MmapActors.Diagnostics;

namespace MmapActors.Tests.Diagnostics;

public sealed class StripedCounterTests
{
    [Fact]
    public void A_new_counter_reads_zero()
    {
        Assert.Equal(0, new StripedCounter().Value);
    }

    [Theory]
    [InlineData(0)] // one cell per processor, as the data plane uses it
    [InlineData(1)] // one cell that every thread shares: each increment must be atomic
    public async Task Every_increment_from_threads_racing_on_every_processor_is_counted(int cells)
    {
        var counter = cells == 0 ? new StripedCounter() : new StripedCounter(cells);
        const int Threads = 8, Each = 200_000;
        using var start = new Barrier(Threads);
        var runners = Enumerable.Range(0, Threads).Select(_ => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            for (int i = 0; i < Each; i++)
            {
                counter.Increment();
            }
        }, TaskCreationOptions.LongRunning)).ToArray();

        await Task.WhenAll(runners);

        Assert.Equal((long)Threads * Each, counter.Value);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void A_number_of_cells_that_is_not_a_power_of_two_is_refused(int cells)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StripedCounter(cells));
    }
}
