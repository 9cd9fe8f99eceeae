using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace MmapActors.Remote.Http;

/// <summary>
/// Who may do what on the data plane. <c>Authorization: Bearer &lt;token&gt;</c> grants everything when it matches
/// <c>mmap.http.token</c>; <c>Authorization: MmapTicket &lt;ticket&gt;</c> grants one transfer (checked later against
/// the range, see <see cref="MmapActors.DataPlane.TicketAuthority"/>); no header is accepted only when no token is
/// configured (the loopback default), and then only to read unless <c>mmap.http.anonymous-writes</c> is on (the handler
/// decides, <see cref="Decision.Anonymous"/>). A credential that is presented is always checked, even when none is needed.
/// </summary>
internal sealed class DataPlaneAuth
{
    /// <summary>The scheme of a ticket in the Authorization header.</summary>
    public const string TicketScheme = "MmapTicket";

    private readonly byte[]? _tokenHash;

    public DataPlaneAuth(string token)
    {
        _tokenHash = string.IsNullOrEmpty(token) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(token));
    }

    /// <summary>What a request presents.</summary>
    public Decision Authenticate(HttpRequest request)
    {
        string? header = request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return _tokenHash is null ? Decision.Nobody : Decision.Refuse("this server needs Authorization: Bearer <token> or a ticket");
        }
        int space = header.IndexOf(' ');
        var scheme = space < 0 ? header.AsSpan() : header.AsSpan(0, space);
        string credential = space < 0 ? "" : header[(space + 1)..].Trim();
        if (scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return _tokenHash is not null &&
                   CryptographicOperations.FixedTimeEquals(_tokenHash, SHA256.HashData(Encoding.UTF8.GetBytes(credential)))
                ? Decision.FullAccess
                : Decision.Refuse("the bearer token is wrong");
        }
        if (scheme.Equals(TicketScheme, StringComparison.OrdinalIgnoreCase))
        {
            return Decision.WithTicket(credential);
        }
        return Decision.Refuse("unsupported Authorization scheme (use Bearer or MmapTicket)");
    }

    /// <summary>Adds the challenge of a 401.</summary>
    public static void Challenge(HttpResponse response) =>
        response.Headers[HeaderNames.WWWAuthenticate] = $"Bearer realm=\"mmapactors\", {TicketScheme}";

    /// <summary>The outcome: allowed outright, allowed if the ticket covers the request, or refused (401).
    /// <see cref="Anonymous"/>: allowed without any credential (no token is configured), which writes only when
    /// <c>mmap.http.anonymous-writes</c> is on.</summary>
    public readonly record struct Decision(bool Allowed, string? Ticket, string? Refusal, bool Anonymous = false)
    {
        public static Decision Nobody => new(true, null, null, Anonymous: true);

        public static Decision FullAccess => new(true, null, null);

        public static Decision WithTicket(string ticket) => new(true, ticket, null);

        public static Decision Refuse(string why) => new(false, null, why);
    }
}
