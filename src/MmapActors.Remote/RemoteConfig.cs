using Akka.Configuration;
using MmapActors.Actors;

namespace MmapActors.Remote;

/// <summary>The embedded <c>config/server.hocon</c> and <c>config/client.hocon</c>.</summary>
internal static class RemoteConfig
{
    private static readonly Lazy<Config> ServerConfig = new(() => Load("MmapActors.Remote.server.conf"));
    private static readonly Lazy<Config> ClientConfig = new(() => Load("MmapActors.Remote.client.conf"));

    /// <summary>The server defaults, over the <c>mmap</c> block's defaults.</summary>
    public static Config Server => ServerConfig.Value.WithFallback(MmapSettings.DefaultConfig);

    /// <summary>Only <c>config/server.hocon</c>, without the <c>mmap</c> block's defaults under it: for a builder that
    /// composes its own configuration (Akka.Hosting), where the defaults must stay the lowest fallback.</summary>
    public static Config ServerDefaults => ServerConfig.Value;

    /// <summary>The client defaults, over the <c>mmap</c> block's defaults.</summary>
    public static Config Client => ClientConfig.Value.WithFallback(MmapSettings.DefaultConfig);

    private static Config Load(string name)
    {
        using var stream = typeof(RemoteConfig).Assembly.GetManifestResourceStream(name)
                           ?? throw new InvalidOperationException($"{name} is not embedded");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }

    /// <summary>A HOCON string literal.</summary>
    public static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
