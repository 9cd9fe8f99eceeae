using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using MmapActors.Cluster;
using MmapActors.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MmapActors.Tests.Cluster;

/// <summary>A cluster member in a Generic Host through Akka.Hosting and Akka.Cluster.Hosting.</summary>
[Trait("Category", "Cluster")]
public sealed class ClusterHostingTests
{
    [Fact]
    public async Task A_hosted_member_starts_its_own_cluster_registers_its_router_and_owns_the_files_it_opens()
    {
        string root = Directory.CreateTempSubdirectory("mmap-cluster-hosted-").FullName;
        await File.WriteAllBytesAsync(Path.Combine(root, "hosted.bin"), new byte[4096]);
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAkka(MmapCluster.SystemName, (akka, _) => akka
            .AddHocon("akka.loglevel = WARNING", HoconAddMode.Prepend)
            .WithMmapCluster(o =>
            {
                o.Root = root;
                o.Port = 0;
            }));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var system = host.Services.GetRequiredService<ActorSystem>();
            var cluster = MmapCluster.Get(system);
            await cluster.WhenUp.WaitAsync(TimeSpan.FromSeconds(30));
            var router = await host.Services.GetRequiredService<ActorRegistry>().GetAsync<MmapClusterRouterKey>();
            Assert.Equal(cluster.Router, router);
            Assert.Equal("ddata", system.Settings.Config.GetString("akka.cluster.sharding.state-store-mode"));

            await using var client = MmapClient.Create(system, router);
            await using (var file = await client.OpenAsync("hosted.bin"))
            {
                await file.WriteAtAsync(10, "hosted"u8.ToArray());
                await file.FlushAsync();
            }
            Assert.Equal(cluster.SelfAddress, await cluster.OwnerOfAsync("hosted.bin"));
            Assert.Equal("hosted"u8.ToArray(), (await File.ReadAllBytesAsync(Path.Combine(root, "hosted.bin"))).AsSpan(10, 6).ToArray());
        }
        finally
        {
            await host.StopAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void A_member_without_a_root_or_with_a_seed_that_is_not_a_member_address_is_refused_when_configured()
    {
        var builder = new AkkaConfigurationBuilder(new ServiceCollection(), MmapCluster.SystemName);
        Assert.Throws<ArgumentException>(() => builder.WithMmapCluster(o => o.Port = 0));
        Assert.Throws<ArgumentException>(() => builder.WithMmapCluster(o =>
        {
            o.Root = "/tmp";
            o.SeedNodes = ["http://example.com"];
        }));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_hosted_member_passes_the_member_port_guard_beyond_loopback_only_when_it_allows_insecure_members(bool allow)
    {
        var builder = new AkkaConfigurationBuilder(new ServiceCollection(), MmapCluster.SystemName)
            .WithMmapCluster(o =>
            {
                o.Root = Path.GetTempPath();
                o.Host = "0.0.0.0";
                o.AllowInsecureMembers = allow;
            });

        // What the extension checks when the member starts: the system's final configuration, whose transport Akka.Hosting
        // fills in from the remoting options at that point.
        var final = ConfigurationFactory.ParseString("akka.remote.dot-netty.tcp { hostname = \"0.0.0.0\", port = 4053 }")
            .WithFallback(builder.Configuration.GetOrElse(Config.Empty));
        Assert.Equal(allow, MemberListenSecurity.Refusal(final) is null);
    }
}
