using System.Buffers.Binary;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace MmapActors.DataPlane;

/// <summary>
/// Issues and redeems the short-lived, single-use tickets that let a peer move one range of one file over the HTTP
/// data plane without holding the server's token. A ticket is the grant itself (<see cref="TicketGrant"/>) signed with
/// HMAC-SHA256 under a key drawn at random for this instance, so it cannot be forged or altered (widened to another
/// range, file, direction or operation) without the key, which never leaves the process; a restart invalidates every
/// ticket. Redeeming checks the signature, the expiry, the peer, the file, the direction, the operation (a range ticket
/// writes in place, only a whole-file ticket replaces) and the range, and then spends the ticket: a second use is refused
/// even within its lifetime.
/// </summary>
/// <remarks>
/// Thread-safe. Memory is bounded by the tickets redeemed within one lifetime: a spent ticket is remembered only until
/// it would have expired anyway, and at most <see cref="MaxRemembered"/> at once (past that, redeeming fails closed as
/// <see cref="TicketCheck.Reused"/> until older ones expire).
/// </remarks>
public sealed class TicketAuthority : IDisposable
{
    /// <summary>Most spent tickets remembered at once.</summary>
    public const int MaxRemembered = 1 << 20;

    private const byte Version = 1;
    private const int NonceLength = 16;
    private const int MacLength = 32;
    private const int FixedLength = 1 + NonceLength + 8 + 8 + 8 + 1 + 2; // version, nonce, expiry, offset, length, operation, peer length

    // The operation byte: what the ticket lets its holder do.
    private const byte ReadOperation = 0, WriteRangeOperation = 1, ReplaceOperation = 2;
    private const int MaxTokenChars = 4096;

    private readonly byte[] _key;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<UInt128, long> _spent = new();
    private long _nextPruneMs;

    private TicketAuthority(byte[] key, TimeSpan lifetime, TimeProvider time)
    {
        _key = key;
        Lifetime = lifetime;
        _time = time;
    }

    /// <summary>How long a ticket stays valid after it is issued.</summary>
    public TimeSpan Lifetime { get; }

    /// <summary>An authority with a fresh random 256-bit key.</summary>
    /// <param name="lifetime">How long each ticket stays valid (a few seconds to a few minutes).</param>
    /// <param name="time">The clock (tests pass a fake one); null: the system clock.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lifetime"/> is not positive or longer than a day.</exception>
    public static TicketAuthority Create(TimeSpan lifetime, TimeProvider? time = null)
    {
        if (lifetime <= TimeSpan.Zero || lifetime > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), lifetime, "A ticket lifetime must be positive and at most a day.");
        }
        return new TicketAuthority(RandomNumberGenerator.GetBytes(32), lifetime, time ?? TimeProvider.System);
    }

    /// <summary>Issues a ticket for one transfer of a range: a download of it, or an upload written in place (which may
    /// grow the file up to the range's end, never further, and never shrinks or replaces it).</summary>
    /// <param name="peer">The peer that will present it (see <see cref="TicketGrant.Peer"/>).</param>
    /// <param name="path">The file, relative to the served root.</param>
    /// <param name="offset">First byte allowed.</param>
    /// <param name="length">Bytes allowed from <paramref name="offset"/>.</param>
    /// <param name="write">An upload rather than a download.</param>
    /// <returns>The ticket, URL-safe text (base64url), and the grant it carries.</returns>
    /// <exception cref="ArgumentException">An empty peer or path, a negative offset or length, or names too long.</exception>
    public (string Ticket, TicketGrant Grant) Issue(string peer, string path, long offset, long length, bool write) =>
        Issue(peer, path, offset, length, write ? WriteRangeOperation : ReadOperation);

    /// <summary>Issues a whole-file ticket: one upload that replaces <paramref name="path"/> with a new file of at most
    /// <paramref name="maxLength"/> bytes (a whole-file <c>PUT</c>). It writes no range in place.</summary>
    /// <param name="peer">The peer that will present it (see <see cref="TicketGrant.Peer"/>).</param>
    /// <param name="path">The file, relative to the served root.</param>
    /// <param name="maxLength">The most bytes the new file may hold.</param>
    /// <returns>The ticket, URL-safe text (base64url), and the grant it carries.</returns>
    /// <exception cref="ArgumentException">An empty peer or path, a negative length, or names too long.</exception>
    public (string Ticket, TicketGrant Grant) IssueReplace(string peer, string path, long maxLength) =>
        Issue(peer, path, 0, maxLength, ReplaceOperation);

    private (string Ticket, TicketGrant Grant) Issue(string peer, string path, long offset, long length, byte operation)
    {
        ArgumentException.ThrowIfNullOrEmpty(peer);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        int peerBytes = Encoding.UTF8.GetByteCount(peer);
        int pathBytes = Encoding.UTF8.GetByteCount(path);
        if (peerBytes > 255 || pathBytes > 2048)
        {
            throw new ArgumentException("The peer (255 bytes) or the path (2048 bytes) is too long for a ticket.");
        }
        var expires = _time.GetUtcNow() + Lifetime;
        var buffer = new byte[FixedLength + peerBytes + pathBytes + MacLength];
        var span = buffer.AsSpan();
        span[0] = Version;
        RandomNumberGenerator.Fill(span.Slice(1, NonceLength));
        int at = 1 + NonceLength;
        BinaryPrimitives.WriteInt64LittleEndian(span[at..], expires.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteInt64LittleEndian(span[(at + 8)..], offset);
        BinaryPrimitives.WriteInt64LittleEndian(span[(at + 16)..], length);
        span[at + 24] = operation;
        BinaryPrimitives.WriteUInt16LittleEndian(span[(at + 25)..], (ushort)peerBytes);
        Encoding.UTF8.GetBytes(peer, span.Slice(FixedLength, peerBytes));
        Encoding.UTF8.GetBytes(path, span.Slice(FixedLength + peerBytes, pathBytes));
        int payload = buffer.Length - MacLength;
        HMACSHA256.HashData(_key, span[..payload], span[payload..]);
        var grant = new TicketGrant(peer, path, offset, length, operation != ReadOperation,
            DateTimeOffset.FromUnixTimeMilliseconds(expires.ToUnixTimeMilliseconds()), operation == ReplaceOperation);
        return (Base64Url.EncodeToString(buffer), grant);
    }

    /// <summary>Checks a ticket against the request it is presented for and, when it is good, spends it.</summary>
    /// <param name="ticket">The ticket as presented (untrusted).</param>
    /// <param name="peer">Who presents it.</param>
    /// <param name="path">The file the request names.</param>
    /// <param name="offset">First byte the request touches.</param>
    /// <param name="length">Bytes the request touches.</param>
    /// <param name="write">Whether the request writes.</param>
    /// <param name="replace">Whether the request replaces the whole file (a whole-file <c>PUT</c>, then
    /// <paramref name="offset"/> is 0 and <paramref name="length"/> the new file's size) rather than touching a range.</param>
    /// <returns><see cref="TicketCheck.Valid"/> (now spent) or the first reason to refuse.</returns>
    public TicketCheck Redeem(string? ticket, string peer, string path, long offset, long length, bool write, bool replace = false)
    {
        var (check, grant, nonce) = Decode(ticket);
        if (check != TicketCheck.Valid)
        {
            return check;
        }
        long nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (grant!.Expires.ToUnixTimeMilliseconds() <= nowMs)
        {
            return TicketCheck.Expired;
        }
        if (!string.Equals(grant.Peer, peer, StringComparison.Ordinal))
        {
            return TicketCheck.WrongPeer;
        }
        if (!string.Equals(grant.Path, path, StringComparison.Ordinal))
        {
            return TicketCheck.WrongPath;
        }
        if (grant.Write != write)
        {
            return TicketCheck.WrongDirection;
        }
        if (grant.Replace != replace)
        {
            return TicketCheck.WrongOperation;
        }
        if (!grant.Covers(offset, length))
        {
            return TicketCheck.OutOfRange;
        }
        PruneIfDue(nowMs);
        if (_spent.Count >= MaxRemembered || !_spent.TryAdd(nonce, grant.Expires.ToUnixTimeMilliseconds()))
        {
            return TicketCheck.Reused;
        }
        return TicketCheck.Valid;
    }

    /// <summary>Forgets the key material.</summary>
    public void Dispose() => CryptographicOperations.ZeroMemory(_key);

    private (TicketCheck Check, TicketGrant? Grant, UInt128 Nonce) Decode(string? ticket)
    {
        if (string.IsNullOrEmpty(ticket) || ticket.Length > MaxTokenChars || !Base64Url.IsValid(ticket.AsSpan(), out int decodedLength) ||
            decodedLength < FixedLength + MacLength)
        {
            return (TicketCheck.Malformed, null, default);
        }
        Span<byte> bytes = stackalloc byte[decodedLength];
        if (Base64Url.DecodeFromChars(ticket, bytes) != decodedLength || bytes[0] != Version)
        {
            return (TicketCheck.Malformed, null, default);
        }
        int payload = decodedLength - MacLength;
        Span<byte> mac = stackalloc byte[MacLength];
        HMACSHA256.HashData(_key, bytes[..payload], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, bytes[payload..]))
        {
            return (TicketCheck.Forged, null, default);
        }
        // Genuine from here on: the fields were written by Issue.
        int at = 1 + NonceLength;
        var nonce = BinaryPrimitives.ReadUInt128LittleEndian(bytes.Slice(1, NonceLength));
        long expiresMs = BinaryPrimitives.ReadInt64LittleEndian(bytes[at..]);
        long offset = BinaryPrimitives.ReadInt64LittleEndian(bytes[(at + 8)..]);
        long length = BinaryPrimitives.ReadInt64LittleEndian(bytes[(at + 16)..]);
        byte operation = bytes[at + 24];
        int peerBytes = BinaryPrimitives.ReadUInt16LittleEndian(bytes[(at + 25)..]);
        if (FixedLength + peerBytes > payload)
        {
            return (TicketCheck.Malformed, null, default);
        }
        string peer = Encoding.UTF8.GetString(bytes.Slice(FixedLength, peerBytes));
        string path = Encoding.UTF8.GetString(bytes[(FixedLength + peerBytes)..payload]);
        var grant = new TicketGrant(peer, path, offset, length, operation != ReadOperation, DateTimeOffset.FromUnixTimeMilliseconds(expiresMs),
            operation == ReplaceOperation);
        return (TicketCheck.Valid, grant, nonce);
    }

    /// <summary>At most once per second, forgets spent tickets that have expired (they are refused as Expired now).</summary>
    private void PruneIfDue(long nowMs)
    {
        long due = Interlocked.Read(ref _nextPruneMs);
        if (nowMs < due || Interlocked.CompareExchange(ref _nextPruneMs, nowMs + 1000, due) != due)
        {
            return;
        }
        foreach (var (nonce, expiresMs) in _spent)
        {
            if (expiresMs <= nowMs)
            {
                _spent.TryRemove(nonce, out _);
            }
        }
    }
}
