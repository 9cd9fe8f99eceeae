using System.Net;
using Microsoft.AspNetCore.Connections;
using MmapActors.Remote.Http;

namespace MmapActors.Tests.Http;

/// <summary>The per-address connection share, without a server: who counts together, and that a connection past the
/// share never reaches the server's pipeline while one from another address does.</summary>
public sealed class ConnectionsPerAddressTests
{
    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("::ffff:10.1.2.3", "10.1.2.3")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::")]
    public void An_address_counts_as_itself_and_an_IPv6_address_as_its_slash_64(string address, string key)
    {
        Assert.Equal(IPAddress.Parse(key), ConnectionsPerAddress.KeyOf(IPAddress.Parse(address)));
    }

    [Fact]
    public async Task A_connection_past_its_address_share_is_dropped_and_another_address_still_gets_in()
    {
        var limiter = ConnectionsPerAddress.Create(2);
        var release = new TaskCompletionSource();
        int served = 0;
        var pipeline = limiter.Wrap(async _ =>
        {
            Interlocked.Increment(ref served);
            await release.Task;
        });
        var first = IPAddress.Parse("192.0.2.1");

        var held = new[] { pipeline(new FakeConnection(first)), pipeline(new FakeConnection(first)) };
        // Returns at once (the connection is closed unanswered); bounded, so a limiter that lets it through fails here
        // instead of waiting on the release with the others.
        await pipeline(new FakeConnection(first)).WaitAsync(TimeSpan.FromSeconds(5));
        var other = pipeline(new FakeConnection(IPAddress.Parse("192.0.2.2")));

        Assert.Equal(3, served);
        Assert.Equal(2, limiter.OpenFrom(first));
        release.SetResult();
        await Task.WhenAll([.. held, other]);
        Assert.Equal(0, limiter.OpenFrom(first));
        await pipeline(new FakeConnection(first)).WaitAsync(TimeSpan.FromSeconds(5)); // a freed share serves again
        Assert.Equal(4, served);
    }

    private sealed class FakeConnection(IPAddress remote) : ConnectionContext
    {
        public override string ConnectionId { get; set; } = Guid.NewGuid().ToString();
        public override Microsoft.AspNetCore.Http.Features.IFeatureCollection Features { get; } = new Microsoft.AspNetCore.Http.Features.FeatureCollection();
        public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();
        public override System.IO.Pipelines.IDuplexPipe Transport { get; set; } = null!;
        public override EndPoint? RemoteEndPoint { get; set; } = new IPEndPoint(remote, 40000);
    }
}
