using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using MmapActors.Actors;
using MmapActors.Hosting;
using MmapActors.Remote;
using MmapActors.Tests.Actors;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MmapActors.Tests.Hosting;

/// <summary>MmapActors in a Generic Host through Akka.Hosting (a plain host: Akka.Hosting.TestKit is xunit v3).</summary>
public sealed class HostingTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_hosted_client_writes_through_and_stopping_the_host_flushes_and_unmaps_the_file()
    {
        using var file = new TempFile(8192);
        var builder = NewHostBuilder(new() { ["MmapActors:IdleTimeout"] = "00:00:07" });
        builder.Services.AddMmapActors(builder.Configuration);
        builder.Services.AddAkka("hosting-client", (akka, sp) => akka.WithMmapActors(sp));
        var host = builder.Build();
        await host.StartAsync();
        var system = host.Services.GetRequiredService<ActorSystem>();
        var client = host.Services.GetRequiredService<MmapClient>();

        var handle = await client.OpenAsync(file.Path);
        await handle.WriteAtAsync(100, "hosted"u8.ToArray());
        var settings = MmapExtension.Get(system).Settings;
        var loggers = system.Settings.Config.GetStringList("akka.loggers");
        int mappedWhileRunning = ProcSelf.MappingsOf(file.Path);
        await host.StopAsync();
        host.Dispose();

        Assert.True(mappedWhileRunning > 0);
        Assert.Equal(0, ProcSelf.MappingsOf(file.Path));
        Assert.Equal("hosted"u8.ToArray(), file.ReadAll().AsSpan(100, 6).ToArray());
        Assert.True(system.WhenTerminated.IsCompleted);
        Assert.Equal(TimeSpan.FromSeconds(7), settings.IdleTimeout);
        Assert.Contains("MmapHostLogger", Assert.Single(loggers), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_handle_disposed_after_the_host_stopped_returns_at_once_instead_of_waiting_for_the_ask_timeout()
    {
        using var file = new TempFile(4096);
        var builder = NewHostBuilder([]);
        builder.Services.AddMmapActors();
        builder.Services.AddAkka("hosting-late-dispose", (akka, sp) => akka.WithMmapActors(o => o.AskTimeout = TimeSpan.FromMinutes(1)));
        using var host = builder.Build();
        await host.StartAsync();
        var handle = await host.Services.GetRequiredService<MmapClient>().OpenAsync(file.Path);
        await host.StopAsync();

        await handle.DisposeAsync().AsTask().WaitAsync(Timeout);
        Assert.Equal(0, ProcSelf.MappingsOf(file.Path));
    }

    [Fact]
    public async Task Options_from_configuration_and_environment_variables_reach_the_settings_and_code_overrides_them()
    {
        string prefix = $"MMAPTEST_{Guid.NewGuid():N}_";
        Environment.SetEnvironmentVariable(prefix + "MmapActors__Transfer__Window", "3");
        try
        {
            var builder = NewHostBuilder(new()
            {
                ["MmapActors:Limits:MaxRangeLength"] = "1048576",
                ["MmapActors:Limits:StaleUploadAge"] = "00:10:00",
                ["MmapActors:AskTimeout"] = "00:00:20",
            });
            builder.Configuration.AddEnvironmentVariables(prefix);
            builder.Services.AddMmapActors(builder.Configuration);
            builder.Services.AddAkka("hosting-options", (akka, sp) => akka.WithMmapActors(sp, o => o.AskTimeout = TimeSpan.FromSeconds(9)));
            using var host = builder.Build();
            await host.StartAsync();
            var system = host.Services.GetRequiredService<ActorSystem>();

            var settings = MmapExtension.Get(system).Settings;
            Assert.Equal(1048576, settings.MaxRangeLength);
            Assert.Equal(TimeSpan.FromMinutes(10), settings.StaleUploadAge);
            Assert.Equal(3, settings.TransferWindow);
            Assert.Equal(TimeSpan.FromSeconds(9), settings.AskTimeout);
            Assert.Equal(TimeSpan.FromSeconds(30), settings.IdleTimeout);
            // The code override worked on a copy: the options the rest of the application sees are the bound ones.
            Assert.Equal(TimeSpan.FromSeconds(20), host.Services.GetRequiredService<IOptions<MmapActorsOptions>>().Value.AskTimeout);
            Assert.Equal(MmapExtension.Get(system).Supervisor, host.Services.GetRequiredService<ActorRegistry>().Get<MmapSupervisorKey>());
            await host.StopAsync();
        }
        finally
        {
            Environment.SetEnvironmentVariable(prefix + "MmapActors__Transfer__Window", null);
        }
    }

    [Fact]
    public async Task A_hosted_server_serves_its_root_to_remote_clients_within_the_server_limits_and_logs_through_the_host()
    {
        string root = Directory.CreateTempSubdirectory("mmap-hosted-served-").FullName;
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(root, "data.bin"), new byte[4 << 20]);
            var logs = new CapturingLoggerProvider();
            var builder = NewHostBuilder(new() { ["MmapActors:Server:Root"] = root, ["MmapActors:Server:Port"] = "0" });
            builder.Logging.AddProvider(logs);
            builder.Services.AddMmapActors(builder.Configuration);
            // WithMmapActors first: the server's limits must survive it.
            builder.Services.AddAkka("hosting-server", (akka, sp) => akka.WithMmapActors(sp).WithMmapServer(sp));
            using var host = builder.Build();
            await host.StartAsync();
            var system = host.Services.GetRequiredService<ActorSystem>();
            var address = ((ExtendedActorSystem)system).Provider.DefaultAddress;

            await using (var remote = await MmapRemote.ConnectAsync(address.ToString()))
            {
                await using var file = await remote.OpenAsync("data.bin");
                await file.WriteAtAsync(0, "served"u8.ToArray());
                Assert.Equal("served"u8.ToArray(), await file.ReadAtAsync(0, 6));
                var overLimit = await Assert.ThrowsAsync<MmapException>(() => file.ReadAtAsync(0, 3 << 20));
                Assert.Contains("max-range-length", overLimit.Message);
                await Assert.ThrowsAsync<MmapException>(() => remote.OpenAsync("../outside.bin"));
            }

            var settings = MmapExtension.Get(system).Settings;
            Assert.Equal(2 << 20, settings.MaxRangeLength);
            Assert.Equal(root, settings.ServedRoot);
            string serving = await logs.WaitForAsync(m => m.Contains($"Serving {root}", StringComparison.Ordinal), Timeout);
            // The host's provider adds level, time and category; Akka's own "[INFO][date][thread]" prefix is not repeated.
            Assert.Equal($"[/user/mmap] Serving {root}", serving);
            await host.StopAsync();
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task A_hosted_server_with_an_HTTP_port_serves_ranges_over_the_data_plane_until_the_host_stops()
    {
        string root = Directory.CreateTempSubdirectory("mmap-hosted-http-").FullName;
        try
        {
            var data = TempFile.RandomBytes(100_000, seed: 80);
            await File.WriteAllBytesAsync(Path.Combine(root, "data.bin"), data);
            var builder = NewHostBuilder(new() { ["MmapActors:Server:Root"] = root, ["MmapActors:Server:Port"] = "0", ["MmapActors:Server:HttpPort"] = "-1" });
            builder.Services.AddMmapActors(builder.Configuration);
            builder.Services.AddAkka("hosting-http", (akka, sp) => akka.WithMmapServer(sp));
            using var host = builder.Build();
            await host.StartAsync();
            var baseUrl = MmapExtension.Get(host.Services.GetRequiredService<ActorSystem>()).DataPlane!.BaseUrl;
            using var http = new HttpClient();

            using (var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUrl, "data.bin")))
            {
                request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(1000, 4999);
                using var response = await http.SendAsync(request);
                Assert.Equal(System.Net.HttpStatusCode.PartialContent, response.StatusCode);
                Assert.Equal(data[1000..5000], await response.Content.ReadAsByteArrayAsync());
            }

            await host.StopAsync();
            await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri(baseUrl, "data.bin")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task The_data_plane_options_reach_the_mmap_http_block()
    {
        string root = Directory.CreateTempSubdirectory("mmap-hosted-http-opt-").FullName;
        try
        {
            var builder = NewHostBuilder(new()
            {
                ["MmapActors:Server:Root"] = root, ["MmapActors:Server:Port"] = "0",
                ["MmapActors:Server:HttpAnonymousWrites"] = "true", ["MmapActors:Server:HttpMaxConnectionsPerAddress"] = "5",
                ["MmapActors:Server:HttpKeepAliveTimeout"] = "00:00:07", ["MmapActors:Server:HttpMinBodyRate"] = "1024",
            });
            builder.Services.AddMmapActors(builder.Configuration);
            builder.Services.AddAkka("hosting-http-options", (akka, sp) => akka.WithMmapServer(sp));
            using var host = builder.Build();
            await host.StartAsync();

            var http = MmapActors.Remote.Http.DataPlaneSettings.FromConfig(
                host.Services.GetRequiredService<ActorSystem>().Settings.Config.GetConfig("mmap.http"));

            Assert.True(http.AnonymousWrites);
            Assert.Equal(5, http.EffectiveMaxConnectionsPerAddress);
            Assert.Equal(TimeSpan.FromSeconds(7), http.EffectiveKeepAliveTimeout);
            Assert.Equal(1024, http.MinBodyRate);
            await host.StopAsync();
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void An_HTTP_port_outside_minus_one_to_65535_is_refused_when_the_builder_is_configured()
    {
        var builder = new AkkaConfigurationBuilder(new ServiceCollection(), "hosting-http-invalid");

        Assert.Throws<ArgumentOutOfRangeException>(() => builder.WithMmapServer(o => (o.Root, o.HttpPort) = ("/tmp", -2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.WithMmapServer(o => (o.Root, o.HttpPort) = ("/tmp", 65536)));
    }

    [Fact]
    public async Task An_application_that_chose_its_loggers_keeps_them()
    {
        var builder = NewHostBuilder([]);
        builder.Services.AddMmapActors();
        builder.Services.AddAkka("hosting-loggers", (akka, sp) => akka
            .ConfigureLoggers(loggers =>
            {
                loggers.LogLevel = Akka.Event.LogLevel.WarningLevel;
                loggers.ClearLoggers();
                loggers.AddDefaultLogger();
            })
            .WithMmapActors(sp));
        using var host = builder.Build();
        await host.StartAsync();
        var config = host.Services.GetRequiredService<ActorSystem>().Settings.Config;

        Assert.Equal("WARNING", config.GetString("akka.loglevel").ToUpperInvariant());
        Assert.Equal("Akka.Event.DefaultLogger", Assert.Single(config.GetStringList("akka.loggers")).Split(',')[0]);
        await host.StopAsync();
    }

    [Fact]
    public void Out_of_range_options_are_refused_when_the_builder_is_configured()
    {
        var builder = new AkkaConfigurationBuilder(new ServiceCollection(), "hosting-invalid");

        var e = Assert.Throws<ConfigurationException>(() => builder.WithMmapActors(o => o.Transfer.Window = 0));
        Assert.Contains("transfer", e.Message);
        Assert.Throws<ArgumentException>(() => builder.WithMmapServer(o => o.Port = 0));
    }

    /// <summary>A host without the default sources (no appsettings or unprefixed environment variables from the
    /// machine): only the given values.</summary>
    private static HostApplicationBuilder NewHostBuilder(Dictionary<string, string?> values)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(values);
        return builder;
    }
}
