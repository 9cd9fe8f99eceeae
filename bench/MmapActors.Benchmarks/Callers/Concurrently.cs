namespace MmapActors.Benchmarks.Callers;

/// <summary>Runs callers side by side, each on its own thread-pool task.</summary>
internal static class Concurrently
{
    /// <summary>Each caller does <paramref name="steps"/> operations; completes when all have.</summary>
    public static Task RunAsync(IReadOnlyList<Caller> callers, int steps)
    {
        var tasks = new Task[callers.Count];
        for (int i = 0; i < tasks.Length; i++)
        {
            var caller = callers[i];
            tasks[i] = Task.Run(async () =>
            {
                for (int s = 0; s < steps; s++)
                {
                    await caller.StepAsync().ConfigureAwait(false);
                }
            });
        }
        return Task.WhenAll(tasks);
    }

    /// <summary>Each caller loops until <paramref name="stop"/> is set; returns the operations each completed.
    /// Operations in flight when the flag is set still complete and count, so the caller must time until this ends.</summary>
    public static Task<long[]> RunUntilAsync(IReadOnlyList<Caller> callers, StopFlag stop)
    {
        var tasks = new Task<long>[callers.Count];
        for (int i = 0; i < tasks.Length; i++)
        {
            var caller = callers[i];
            tasks[i] = Task.Run(async () =>
            {
                long done = 0;
                while (!stop.IsSet)
                {
                    await caller.StepAsync().ConfigureAwait(false);
                    done++;
                }
                return done;
            });
        }
        return Task.WhenAll(tasks);
    }
}
