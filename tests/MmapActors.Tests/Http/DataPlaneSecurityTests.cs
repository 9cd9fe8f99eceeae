using System.Net;
using Akka.Actor;
using System.Net.Http.Headers;
using System.Net.Sockets;
using MmapActors.DataPlane;
using MmapActors.Protocol;
using MmapActors.Remote;

namespace MmapActors.Tests.Http;

/// <summary>Who may use the data plane: tokens, tickets over HTTP (reuse, forgery, widening, another peer), read-only
/// exports, and binds that would expose the files.</summary>
public sealed class DataPlaneSecurityTests : IAsyncLifetime
{
    private const string Token = "s3cret-token";
    private readonly string _root = Directory.CreateTempSubdirectory("mmap-http-sec-").FullName;
    private readonly byte[] _data = new byte[100_000];
    private MmapServer _server = null!;
    private MmapClient _client = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync()
    {
        new Random(7).NextBytes(_data);
        await File.WriteAllBytesAsync(Path.Combine(_root, "data.bin"), _data);
        _server = await MmapServer.StartAsync(new MmapServerOptions(_root, Port: 0, HttpPort: MmapServerOptions.AnyHttpPort,
            Config: $"akka.loglevel = WARNING\nmmap.http.token = \"{Token}\""));
        _client = await MmapRemote.ConnectAsync(_server.Address.ToString());
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _client.DisposeAsync();
        await _server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private Uri Url(string path) => new(_server.DataPlane!.BaseUrl, path);

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, AuthenticationHeaderValue? auth, RangeHeaderValue? range = null,
        HttpClient? http = null, byte[]? body = null, ContentRangeHeaderValue? contentRange = null)
    {
        using var request = new HttpRequestMessage(method, Url(path));
        request.Headers.Authorization = auth;
        request.Headers.Range = range;
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentRange = contentRange;
        }
        return await (http ?? _http).SendAsync(request);
    }

    private async Task<DataPlaneTicket> TicketAsync(string path, long offset, long length, bool write) =>
        Assert.IsType<DataPlaneTicket>(await _client.Supervisor.Ask<MapReply>(new OpenDataPlane(path, offset, length, write), TimeSpan.FromSeconds(10)));

    private static AuthenticationHeaderValue Ticket(DataPlaneTicket ticket) => new("MmapTicket", ticket.Ticket);

    [Fact]
    public async Task With_a_token_configured_a_request_without_it_or_with_a_wrong_one_is_401()
    {
        using var none = await SendAsync(HttpMethod.Get, "data.bin", null);
        using var wrong = await SendAsync(HttpMethod.Get, "data.bin", new AuthenticationHeaderValue("Bearer", "guess"));
        using var basic = await SendAsync(HttpMethod.Get, "data.bin", new AuthenticationHeaderValue("Basic", "dXNlcjpwYXNz"));
        using var right = await SendAsync(HttpMethod.Get, "data.bin", new AuthenticationHeaderValue("Bearer", Token));

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.NotEmpty(none.Headers.WwwAuthenticate);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, basic.StatusCode);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Equal(_data, await right.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_ticket_reads_its_range_once_and_is_refused_the_second_time()
    {
        var ticket = await TicketAsync("data.bin", 1000, 5000, write: false);

        using var first = await SendAsync(HttpMethod.Get, "data.bin", Ticket(ticket), new RangeHeaderValue(1000, 5999));
        using var second = await SendAsync(HttpMethod.Get, "data.bin", Ticket(ticket), new RangeHeaderValue(1000, 5999));

        Assert.Equal(HttpStatusCode.PartialContent, first.StatusCode);
        Assert.Equal(_data[1000..6000], await first.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.Forbidden, second.StatusCode);
        Assert.Equal(nameof(TicketCheck.Reused), Assert.Single(second.Headers.GetValues("Mmap-Ticket")));
    }

    [Fact]
    public async Task A_ticket_cannot_be_widened_to_more_bytes_another_file_or_a_write()
    {
        await File.WriteAllBytesAsync(Path.Combine(_root, "other.bin"), new byte[100]);
        var ticket = await TicketAsync("data.bin", 0, 100, write: false);

        using var wider = await SendAsync(HttpMethod.Get, "data.bin", Ticket(ticket), new RangeHeaderValue(0, 100));
        using var whole = await SendAsync(HttpMethod.Get, "data.bin", Ticket(ticket));
        using var other = await SendAsync(HttpMethod.Get, "other.bin", Ticket(ticket), new RangeHeaderValue(0, 9));
        using var write = await SendAsync(HttpMethod.Put, "data.bin", Ticket(ticket), body: new byte[10], contentRange: new ContentRangeHeaderValue(0, 9));

        Assert.Equal(nameof(TicketCheck.OutOfRange), Assert.Single(wider.Headers.GetValues("Mmap-Ticket")));
        Assert.Equal(nameof(TicketCheck.OutOfRange), Assert.Single(whole.Headers.GetValues("Mmap-Ticket")));
        Assert.Equal(nameof(TicketCheck.WrongPath), Assert.Single(other.Headers.GetValues("Mmap-Ticket")));
        Assert.Equal(nameof(TicketCheck.WrongDirection), Assert.Single(write.Headers.GetValues("Mmap-Ticket")));
        Assert.Equal(_data, await File.ReadAllBytesAsync(Path.Combine(_root, "data.bin")));
        using var stillGood = await SendAsync(HttpMethod.Get, "data.bin", Ticket(ticket), new RangeHeaderValue(0, 99));
        Assert.Equal(HttpStatusCode.PartialContent, stillGood.StatusCode);
    }

    [Fact]
    public async Task A_write_ticket_cannot_grow_the_file_past_its_range_through_the_Content_Range_total()
    {
        long size = new FileInfo(Path.Combine(_root, "data.bin")).Length;
        var ticket = await TicketAsync("data.bin", 0, 10, write: true);

        using var grown = await SendAsync(HttpMethod.Put, "data.bin", Ticket(ticket), body: new byte[10],
            contentRange: new ContentRangeHeaderValue(0, 9, size + (1 << 20)));

        // The ten bytes are the ticket's; the total is a claim that grows nothing.
        Assert.Equal(HttpStatusCode.NoContent, grown.StatusCode);
        Assert.Equal(size, new FileInfo(Path.Combine(_root, "data.bin")).Length);
    }

    [Fact]
    public async Task A_forged_ticket_is_refused()
    {
        var ticket = await TicketAsync("data.bin", 0, 100, write: false);
        char last = ticket.Ticket[^2] == 'A' ? 'B' : 'A';
        var forged = ticket with { Ticket = ticket.Ticket[..^2] + last + ticket.Ticket[^1] };

        using var response = await SendAsync(HttpMethod.Get, "data.bin", Ticket(forged), new RangeHeaderValue(0, 99));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(nameof(TicketCheck.Forged), Assert.Single(response.Headers.GetValues("Mmap-Ticket")));
    }

    [Fact]
    public async Task A_ticket_taken_by_another_peer_is_refused()
    {
        var ticket = await TicketAsync("data.bin", 0, 100, write: false);
        // Another host, as far as the server can tell: a connection from 127.0.0.2 (Linux routes all of 127/8 to lo).
        using var fromElsewhere = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        });

        using var stolen = await SendAsync(HttpMethod.Get, "data.bin", Ticket(ticket), new RangeHeaderValue(0, 99), fromElsewhere);
        using var own = await SendAsync(HttpMethod.Get, "data.bin", Ticket(ticket), new RangeHeaderValue(0, 99));

        Assert.Equal(nameof(TicketCheck.WrongPeer), Assert.Single(stolen.Headers.GetValues("Mmap-Ticket")));
        Assert.Equal(HttpStatusCode.PartialContent, own.StatusCode);
    }

    [Fact]
    public async Task A_write_ticket_writes_its_range()
    {
        await File.WriteAllBytesAsync(Path.Combine(_root, "target.bin"), new byte[1000]);
        var ticket = await TicketAsync("target.bin", 10, 3, write: true);

        using var response = await SendAsync(HttpMethod.Put, "target.bin", Ticket(ticket), body: [1, 2, 3], contentRange: new ContentRangeHeaderValue(10, 12));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(new byte[] { 0, 1, 2, 3, 0 }, (await File.ReadAllBytesAsync(Path.Combine(_root, "target.bin")))[9..14]);
    }

    [Fact]
    public async Task The_supervisor_issues_no_ticket_for_a_path_the_sandbox_refuses()
    {
        var escape = await _client.Supervisor.Ask<MapReply>(new OpenDataPlane("../x", 0, 1, false), TimeSpan.FromSeconds(10));
        var missing = await _client.Supervisor.Ask<MapReply>(new OpenDataPlane("missing.bin", 0, 1, false), TimeSpan.FromSeconds(10));

        Assert.Equal(18, Assert.IsType<MmapError>(escape).Errno);
        Assert.Equal(2, Assert.IsType<MmapError>(missing).Errno);
    }

    [Fact]
    public async Task A_read_only_export_refuses_PUT_with_403_and_tickets_to_write()
    {
        await using var readOnly = await MmapServer.StartAsync(new MmapServerOptions(_root, Port: 0, ReadOnly: true, HttpPort: MmapServerOptions.AnyHttpPort,
            Config: "akka.loglevel = WARNING\nmmap.http.anonymous-writes = on")); // so that the export, not the credential, refuses
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(readOnly.DataPlane!.BaseUrl, "data.bin")) { Content = new ByteArrayContent([1]) };

        using var response = await _http.SendAsync(request);
        var ticket = await readOnly.Supervisor.Ask<MapReply>(new OpenDataPlane("data.bin", 0, 1, true), TimeSpan.FromSeconds(10));
        using var get = await _http.GetAsync(new Uri(readOnly.DataPlane.BaseUrl, "data.bin"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("13", Assert.Single(response.Headers.GetValues("Mmap-Errno")));
        Assert.Equal(13, Assert.IsType<MmapError>(ticket).Errno);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(_data, await File.ReadAllBytesAsync(Path.Combine(_root, "data.bin")));
    }

    [Theory]
    [InlineData("", "", "HTTPS")]
    [InlineData("tok", "", "HTTPS")]
    [InlineData("", "cert.pfx", "token")]
    public async Task A_bind_beyond_loopback_without_HTTPS_and_a_token_is_refused_saying_why(string token, string certificate, string missing)
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => MmapServer.StartAsync(new MmapServerOptions(_root, Port: 0, HttpPort: MmapServerOptions.AnyHttpPort,
            Config: $"akka.loglevel = WARNING\nmmap.http {{ host = \"0.0.0.0\", token = \"{token}\", certificate.path = \"{certificate}\" }}")));

        Assert.Contains(missing, e.Message);
        Assert.Contains("allow-insecure-bind", e.Message);
    }
}
