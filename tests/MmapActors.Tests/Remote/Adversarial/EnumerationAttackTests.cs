using Akka.Actor;

namespace MmapActors.Tests.Remote.Adversarial;

/// <summary>A peer cannot list or find the server's actors: only the door answers selection.</summary>
public sealed class EnumerationAttackTests
{
    [Theory]
    [InlineData("/user/*")]
    [InlineData("/user/mmap")]
    [InlineData("/user/mmap/*")]
    [InlineData("/user/mmap/owner-1")]
    [InlineData("/user/mmap-server/*")]
    [InlineData("/system/*")]
    [InlineData("/*")]
    public async Task Identify_finds_nothing_but_the_door(string path)
    {
        await using var server = await AttackedServer.StartAsync();
        await server.AssertStillServesAsync(); // an owner and a session exist
        await using var attacker = Attacker.Create(server.Server.Address);

        var found = await attacker.System.ActorSelection($"{server.Server.Address}{path}")
            .Ask<ActorIdentity>(new Identify(path), TimeSpan.FromSeconds(1))
            .ContinueWith(t => t.IsCompletedSuccessfully ? t.Result.Subject : null);

        Assert.Null(found);
        Assert.Equal(server.Server.Gateway.Path.Elements, (await attacker.DoorAsync()).Path.Elements);
    }

    [Fact]
    public async Task Session_names_are_128_random_bits()
    {
        await using var server = await AttackedServer.StartAsync();
        await using var attacker = Attacker.Create(server.Server.Address);
        var probe = attacker.System.ActorOf(Props.Empty);

        var first = await attacker.ConnectAsync(probe);
        var second = await attacker.ConnectAsync(probe);

        Assert.Matches("^s-[0-9a-f]{32}$", first.Path.Name);
        Assert.NotEqual(first.Path.Name, second.Path.Name);
    }
}
