using MmapActors.Cluster;
using MmapActors.Remote;

namespace MmapActors.Cli;

/// <summary><c>mmapctl serve --cluster</c>: a cluster node (a member on --port, a client door on --client-port) until
/// Ctrl+C or SIGTERM, then it closes the door and leaves the cluster, handing its files off first.</summary>
internal static class ClusterServeCommand
{
    /// <remarks>
    /// <paramref name="publicHost"/> (or this machine's name, when <paramref name="host"/> is a wildcard) is advertised by
    /// both systems: clients address the door with it, and the other members (and seed lists) address the member with it;
    /// both ports are on the same machine, so one name reaches both.
    /// <paramref name="allowInsecure"/> accepts a clear-text client door on a network, <paramref name="allowInsecureMembers"/> a
    /// clear-text member port: two switches, because the two ports risk different things (a door's clients are untrusted
    /// and bounded by their sessions; whoever reaches the member port is a member, trusted with every file), and a
    /// script that accepted the first must not silently accept the second.
    /// </remarks>
    public static async Task<int> ServeAsync(string root, string host, string? publicHost, int port, int? clientPort, string[] seeds,
        bool readOnly, string? configFile, bool allowInsecure, bool allowInsecureMembers, string logFormat, CancellationToken cancellationToken)
    {
        ServeCommand.CheckRootAndConfig(root, configFile);
        if (port == 0 && clientPort is null)
        {
            throw CliException.Usage("--port 0 with --cluster needs --client-port (the client port defaults to --port + 1)");
        }
        int doorPort = clientPort ?? port + 1;
        if (doorPort is < 0 or > 65535)
        {
            throw CliException.Usage($"--client-port {doorPort}: must be within 0..65535");
        }
        var seedNodes = seeds.SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
        Directory.CreateDirectory(root);
        // The member logs as the door does (one line per event, the operator's format), unless the file chooses loggers.
        var config = Akka.Configuration.ConfigurationFactory.ParseString(ServeCommand.OperatorConfig(null, configFile, logFormat))
            .WithFallback(configFile is null ? Akka.Configuration.Config.Empty : Akka.Configuration.ConfigurationFactory.ParseString(File.ReadAllText(configFile)));
        string? advertised = ServeCommand.AdvertisedHost(host, publicHost);
        MmapClusterNode node;
        try
        {
            node = await MmapClusterNode.StartAsync(
                new MmapClusterOptions
                {
                    Root = root, Host = host, PublicHost = advertised, Port = port, SeedNodes = seedNodes, ReadOnly = readOnly, Config = config,
                    AllowInsecureMembers = allowInsecureMembers,
                },
                new MmapServerOptions(root, host, doorPort, readOnly, configFile, Config: ServeCommand.OperatorConfig(advertised, configFile, logFormat))
                {
                    AllowInsecureNonLoopback = allowInsecure,
                },
                cancellationToken);
        }
        catch (ArgumentException e)
        {
            throw CliException.Usage(e.Message);
        }
        await using var running = node;
        Console.WriteLine($"mmapctl: cluster member {node.Cluster.SelfAddress} (keep this port private: members trust each other)" +
                          (seedNodes.Length == 0 ? ", started a new cluster" : $", seeds {string.Join(",", seedNodes)}"));
        Console.WriteLine($"mmapctl: serving {Path.GetFullPath(root)} at {node.Door.Address}{(readOnly ? " (read-only)" : "")}; " +
                          $"clients must use --server {node.Door.Address}");
        Console.Out.Flush();
        bool asked = await ServeCommand.RunUntilStoppedAsync(node.WhenTerminated, "closing the door, handing files off and leaving the cluster",
            node.StopAsync, cancellationToken);
        if (asked)
        {
            return ExitCodes.Success;
        }
        // The member system ended on its own. When the cluster downed this node (the resolver found it unreachable, or
        // an operator downed it), its files already run on other members: a service manager must see that as a failure
        // to restart it (a new incarnation joins as a fresh member), never as a clean stop.
        var reason = Akka.Actor.CoordinatedShutdown.Get(node.MemberSystem).ShutdownReason;
        if (reason is Akka.Actor.CoordinatedShutdown.ClusterDowningReason)
        {
            Console.Error.WriteLine("mmapctl: this node was downed by the cluster (unreachable for too long, or downed by an operator); " +
                                    "its files are served by the other members. Start it again to rejoin as a new member");
            return ExitCodes.Downed;
        }
        Console.Error.WriteLine($"mmapctl: the cluster member stopped without being asked to ({reason?.GetType().Name ?? "no reason given"})");
        return ExitCodes.Error;
    }
}
