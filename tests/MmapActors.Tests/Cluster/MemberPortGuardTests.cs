using Akka.Actor;
using Akka.Configuration;
using MmapActors.Cluster;

namespace MmapActors.Tests.Cluster;

/// <summary>A member port (whoever reaches it is trusted with every file) opens beyond loopback only with TLS on the
/// member transport, or when the operator explicitly accepts the risk.</summary>
[Trait("Category", "Cluster")]
public sealed class MemberPortGuardTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mmap-member-guard-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    public void A_member_port_beyond_loopback_without_TLS_is_refused_naming_the_port_and_the_remedy(string host)
    {
        var options = new MmapClusterOptions { Root = _root, Host = host, Port = 4711 };

        var e = Assert.Throws<ArgumentException>(() => MmapCluster.CreateConfig(options));

        Assert.Contains("cluster member port 4711", e.Message);
        Assert.Contains("without TLS", e.Message);
        Assert.Contains("enable-ssl", e.Message);
        Assert.Contains("--allow-insecure-members", e.Message);
        Assert.Contains("MmapClusterOptions.AllowInsecureMembers", e.Message);
        // CreateSystem checks before anything binds.
        Assert.Throws<ArgumentException>(() => MmapCluster.CreateSystem(options));
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    public void A_member_port_beyond_loopback_is_allowed_when_the_operator_accepts_the_risk(string host)
    {
        var byOption = MmapCluster.CreateConfig(new MmapClusterOptions { Root = _root, Host = host, AllowInsecureMembers = true });
        Assert.Equal(host, byOption.GetString("akka.remote.dot-netty.tcp.hostname"));

        MmapCluster.CreateConfig(new MmapClusterOptions
        {
            Root = _root, Host = host, Config = ConfigurationFactory.ParseString("mmap.cluster.allow-insecure-members = on"),
        });
    }

    [Fact]
    public void A_member_port_beyond_loopback_with_TLS_on_the_member_transport_is_allowed()
    {
        var config = MmapCluster.CreateConfig(new MmapClusterOptions
        {
            Root = _root, Host = "0.0.0.0", Config = ConfigurationFactory.ParseString("akka.remote.dot-netty.tcp.enable-ssl = on"),
        });

        Assert.True(config.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl"));
        Assert.False(config.GetBoolean("mmap.cluster.allow-insecure-members"));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.2")]
    [InlineData("::1")]
    [InlineData("localhost")]
    public void A_loopback_member_port_is_always_allowed(string host)
    {
        var config = MmapCluster.CreateConfig(new MmapClusterOptions { Root = _root, Host = host });

        Assert.False(config.GetBoolean("mmap.cluster.allow-insecure-members"));
        Assert.False(config.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl"));
    }

    [Fact]
    public async Task A_member_system_made_without_CreateConfig_is_refused_and_terminated_when_the_extension_starts()
    {
        // As Akka.Hosting builds it: its own configuration, with the cluster's defaults under it. Port 0: a free one.
        var config = ConfigurationFactory.ParseString($$"""
            akka.loglevel = OFF
            akka.remote.dot-netty.tcp { hostname = "0.0.0.0", port = 0 }
            mmap.served-root = "{{_root}}"
            """).WithFallback(MmapCluster.DefaultConfig);
        var system = ActorSystem.Create(MmapCluster.SystemName, config);
        try
        {
            var e = Assert.ThrowsAny<Exception>(() => MmapCluster.Get(system));
            var refusal = e as ConfigurationException ?? e.InnerException as ConfigurationException;
            Assert.NotNull(refusal);
            Assert.Contains("--allow-insecure-members", refusal.Message);
            // Its port was bound already: the whole system stops rather than stay up unguarded.
            await system.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            await system.Terminate();
        }
    }
}
