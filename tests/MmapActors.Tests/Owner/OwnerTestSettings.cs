using MmapActors.Actors;

namespace MmapActors.Tests;

/// <summary>Settings for tests that drive <see cref="Owner.SharedFile"/> directly: the reference defaults.</summary>
internal static class OwnerTestSettings
{
    public static MmapSettings Default { get; } = MmapSettings.Create(MmapSettings.DefaultConfig.GetConfig("mmap"));
}
