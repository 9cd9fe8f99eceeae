using MmapActors.Actors;
using MmapActors.Tests.Owner;

namespace MmapActors.Tests.Actors;

/// <summary>The process's handle budget, sized from its descriptor and mapping limits, and its refusals.</summary>
public sealed class OpenFileBudgetTests
{
    private const long Unlimited = long.MaxValue;

    [Fact]
    public void Under_ulimit_256_the_budget_keeps_64_descriptors_beyond_those_in_use_at_start()
    {
        var budget = OpenFileBudget.Choose(new ProcessLimits(256, 111, 65530, 600), maxHandlesPerNode: 0);

        Assert.Equal(256 - 111 - 64, budget.MaxHandles);
        Assert.Equal(24, budget.Errno);
        Assert.Contains("RLIMIT_NOFILE 256: 111 descriptors in use at start, 64 kept", budget.Description);
    }

    [Fact]
    public void A_large_limit_keeps_an_eighth_of_it_in_reserve()
    {
        var budget = OpenFileBudget.Choose(new ProcessLimits(1024, 120, 65530, 600), maxHandlesPerNode: 0);

        Assert.Equal(1024 - 120 - 128, budget.MaxHandles);
    }

    [Fact]
    public void When_mappings_bind_before_descriptors_the_refusal_is_ENOMEM()
    {
        var budget = OpenFileBudget.Choose(new ProcessLimits(1 << 20, 120, 65530, 600), maxHandlesPerNode: 0);

        Assert.Equal(65530 - 600 - 65530 / 8, budget.MaxHandles);
        Assert.Equal(12, budget.Errno);
    }

    [Fact]
    public void A_limit_already_spent_at_start_leaves_no_handle_rather_than_a_negative_budget()
    {
        Assert.Equal(0, OpenFileBudget.Choose(new ProcessLimits(100, 90, 65530, 600), maxHandlesPerNode: 0).MaxHandles);
    }

    [Fact]
    public void Unknown_or_unlimited_limits_set_no_budget()
    {
        var budget = OpenFileBudget.Choose(new ProcessLimits(Unlimited, 120, Unlimited, 600), maxHandlesPerNode: 0);

        Assert.Equal(int.MaxValue, budget.MaxHandles);
        Assert.Contains("no process limit applies", budget.Description);
    }

    [Fact]
    public void The_log_line_names_the_effective_cap_as_the_smaller_of_the_budget_and_max_handles_per_node()
    {
        Assert.Contains("hold at most 81;", OpenFileBudget.Choose(new ProcessLimits(256, 111, 65530, 600), maxHandlesPerNode: 65536).Description);
        Assert.Contains("hold at most 10;", OpenFileBudget.Choose(new ProcessLimits(256, 111, 65530, 600), maxHandlesPerNode: 10).Description);
    }

    [Fact]
    public void The_limits_of_this_process_read_as_positive_numbers()
    {
        var limits = ProcessLimits.Read();

        Assert.True(limits.DescriptorLimit > 0 && limits.DescriptorsInUse > 0 && limits.MaxMapCount > 0 && limits.MappingsInUse > 0, $"{limits}");
    }

    [Fact]
    public void A_budget_at_its_cap_refuses_the_next_handle_with_EMFILE_and_takes_it_again_once_one_is_closed()
    {
        var budget = new ResourceBudget(OwnerTestSettings.Default, openFiles: OpenFileBudget.Choose(new ProcessLimits(256, 190, 65530, 600), 0));
        Assert.Equal(2, budget.OpenFiles!.MaxHandles);

        Assert.Null(budget.AddHandle("a"));
        Assert.Null(budget.AddHandle("b"));
        var refused = budget.AddHandle("c");

        Assert.NotNull(refused);
        Assert.Equal(24, refused.Errno);
        Assert.Equal(MmapErrorCode.LimitExceeded, refused.Code);
        Assert.StartsWith("[Errno 24] Too many open files", refused.Message);
        Assert.Equal(2, budget.Handles);
        budget.RemoveHandle("a");
        Assert.Null(budget.AddHandle("c"));
    }

    [Fact]
    public void Opens_under_way_count_against_the_budget_before_they_take_a_descriptor()
    {
        var budget = new ResourceBudget(OwnerTestSettings.Default, openFiles: OpenFileBudget.Choose(new ProcessLimits(256, 190, 65530, 600), 0));
        Assert.Null(budget.AddHandle("a"));
        Assert.Null(budget.RefuseIfFull());

        budget.OpenStarted();

        Assert.Equal(24, budget.RefuseIfFull()?.Errno);
        budget.OpenEnded();
        Assert.Null(budget.RefuseIfFull());
    }
}
