using System.Buffers.Text;
using MmapActors.DataPlane;

namespace MmapActors.Tests.DataPlane;

/// <summary>Tickets: single use, bound to peer, file, range and direction, unforgeable, short-lived.</summary>
public sealed class TicketAuthorityTests : IDisposable
{
    private readonly ManualClock _clock = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly TicketAuthority _authority;

    public TicketAuthorityTests() => _authority = TicketAuthority.Create(TimeSpan.FromSeconds(30), _clock);

    public void Dispose() => _authority.Dispose();

    [Fact]
    public void A_ticket_is_good_once_for_its_own_peer_file_range_and_direction_and_reused_after()
    {
        var (ticket, grant) = _authority.Issue("10.0.0.7", "dir/a.bin", 4096, 8192, write: false);

        Assert.Equal(new TicketGrant("10.0.0.7", "dir/a.bin", 4096, 8192, false, _clock.GetUtcNow().AddSeconds(30)), grant);
        Assert.Equal(TicketCheck.Valid, _authority.Redeem(ticket, "10.0.0.7", "dir/a.bin", 4096, 8192, write: false));
        Assert.Equal(TicketCheck.Reused, _authority.Redeem(ticket, "10.0.0.7", "dir/a.bin", 4096, 8192, write: false));
    }

    [Fact]
    public void A_part_of_the_range_is_allowed_and_anything_wider_is_refused_without_spending_the_ticket()
    {
        var (ticket, _) = _authority.Issue("p", "a.bin", 100, 50, write: false);

        Assert.Equal(TicketCheck.OutOfRange, _authority.Redeem(ticket, "p", "a.bin", 99, 10, write: false));
        Assert.Equal(TicketCheck.OutOfRange, _authority.Redeem(ticket, "p", "a.bin", 100, 51, write: false));
        Assert.Equal(TicketCheck.OutOfRange, _authority.Redeem(ticket, "p", "a.bin", 140, 11, write: false));
        Assert.Equal(TicketCheck.OutOfRange, _authority.Redeem(ticket, "p", "a.bin", long.MaxValue, 1, write: false));
        Assert.Equal(TicketCheck.Valid, _authority.Redeem(ticket, "p", "a.bin", 110, 40, write: false));
    }

    [Fact]
    public void A_range_ticket_cannot_replace_the_file_and_a_whole_file_ticket_cannot_write_a_range()
    {
        var (range, _) = _authority.Issue("p", "a.bin", 0, 4096, write: true);
        var (whole, grant) = _authority.IssueReplace("p", "a.bin", 4096);

        Assert.True(grant is { Replace: true, Write: true, Offset: 0, Length: 4096 });
        Assert.Equal(TicketCheck.WrongOperation, _authority.Redeem(range, "p", "a.bin", 0, 4, write: true, replace: true));
        Assert.Equal(TicketCheck.WrongOperation, _authority.Redeem(whole, "p", "a.bin", 0, 4, write: true));
        Assert.Equal(TicketCheck.OutOfRange, _authority.Redeem(whole, "p", "a.bin", 0, 4097, write: true, replace: true));
        Assert.Equal(TicketCheck.Valid, _authority.Redeem(range, "p", "a.bin", 0, 4096, write: true));
        Assert.Equal(TicketCheck.Valid, _authority.Redeem(whole, "p", "a.bin", 0, 4, write: true, replace: true));
    }

    [Fact]
    public void Another_peer_another_file_or_the_other_direction_cannot_use_a_ticket()
    {
        var (ticket, _) = _authority.Issue("127.0.0.1", "a.bin", 0, 10, write: false);

        Assert.Equal(TicketCheck.WrongPeer, _authority.Redeem(ticket, "127.0.0.2", "a.bin", 0, 10, write: false));
        Assert.Equal(TicketCheck.WrongPath, _authority.Redeem(ticket, "127.0.0.1", "b.bin", 0, 10, write: false));
        Assert.Equal(TicketCheck.WrongDirection, _authority.Redeem(ticket, "127.0.0.1", "a.bin", 0, 10, write: true));
        Assert.Equal(TicketCheck.Valid, _authority.Redeem(ticket, "127.0.0.1", "a.bin", 0, 10, write: false));
    }

    [Fact]
    public void A_ticket_altered_in_any_byte_or_signed_by_another_server_is_forged()
    {
        var (ticket, _) = _authority.Issue("p", "a.bin", 0, 10, write: false);
        byte[] bytes = Base64Url.DecodeFromChars(ticket);
        for (int i = 1; i < bytes.Length; i++)
        {
            var altered = (byte[])bytes.Clone();
            altered[i] ^= 0x01;
            Assert.Equal(TicketCheck.Forged, _authority.Redeem(Base64Url.EncodeToString(altered), "p", "a.bin", 0, 10, write: false));
        }
        using var other = TicketAuthority.Create(TimeSpan.FromSeconds(30), _clock);
        var (foreign, _) = other.Issue("p", "a.bin", 0, 10, write: false);
        Assert.Equal(TicketCheck.Forged, _authority.Redeem(foreign, "p", "a.bin", 0, 10, write: false));
        Assert.Equal(TicketCheck.Valid, _authority.Redeem(ticket, "p", "a.bin", 0, 10, write: false));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not base64 !")]
    [InlineData("AAAA")]
    public void Garbage_is_malformed(string? ticket) =>
        Assert.Equal(TicketCheck.Malformed, _authority.Redeem(ticket, "p", "a.bin", 0, 1, write: false));

    [Fact]
    public void A_ticket_expires_after_its_lifetime()
    {
        var (ticket, _) = _authority.Issue("p", "a.bin", 0, 10, write: true);

        _clock.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(TicketCheck.Expired, _authority.Redeem(ticket, "p", "a.bin", 0, 10, write: true));
    }

    [Fact]
    public void A_spent_ticket_stays_refused_after_the_spent_list_is_pruned()
    {
        var (ticket, _) = _authority.Issue("p", "a.bin", 0, 10, write: false);
        Assert.Equal(TicketCheck.Valid, _authority.Redeem(ticket, "p", "a.bin", 0, 10, write: false));

        _clock.Advance(TimeSpan.FromSeconds(31));
        var (later, _) = _authority.Issue("p", "a.bin", 0, 10, write: false);
        Assert.Equal(TicketCheck.Valid, _authority.Redeem(later, "p", "a.bin", 0, 10, write: false)); // prunes the first

        Assert.Equal(TicketCheck.Expired, _authority.Redeem(ticket, "p", "a.bin", 0, 10, write: false));
    }

    [Fact]
    public void Bad_arguments_are_refused_at_issue()
    {
        Assert.Throws<ArgumentException>(() => _authority.Issue("", "a", 0, 1, false));
        Assert.Throws<ArgumentException>(() => _authority.Issue("p", "", 0, 1, false));
        Assert.Throws<ArgumentOutOfRangeException>(() => _authority.Issue("p", "a", -1, 1, false));
        Assert.Throws<ArgumentOutOfRangeException>(() => _authority.Issue("p", "a", 0, -1, false));
        Assert.Throws<ArgumentOutOfRangeException>(() => TicketAuthority.Create(TimeSpan.Zero));
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("localhost", "127.0.0.1")]
    [InlineData(null, "127.0.0.1")]
    [InlineData("::ffff:10.1.2.3", "10.1.2.3")]
    [InlineData("[::1]", "::1")]
    [InlineData("Node-A", "node-a")]
    public void Peers_have_one_spelling(string? host, string expected) => Assert.Equal(expected, PeerIdentity.FromHost(host));

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
