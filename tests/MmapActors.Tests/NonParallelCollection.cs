namespace MmapActors.Tests;

/// <summary>Tests that count process-wide resources (descriptors, mappings) run alone, after every parallel test.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NonParallelCollection
{
    public const string Name = "Process-wide resource counts";
}
