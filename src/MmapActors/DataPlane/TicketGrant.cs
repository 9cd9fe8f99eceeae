namespace MmapActors.DataPlane;

/// <summary>What a data-plane ticket allows: one transfer by one peer, of one range of one file, in one direction and
/// one operation, until it expires.</summary>
/// <param name="Peer">Who may use it: the peer's network identity (its IP address, as the HTTP server sees the
/// connection).</param>
/// <param name="Path">The file, relative to the served root, exactly as the peer opened it.</param>
/// <param name="Offset">First byte the transfer may touch.</param>
/// <param name="Length">Bytes from <paramref name="Offset"/> the transfer may touch; for <paramref name="Replace"/>, the
/// most bytes the new file may hold.</param>
/// <param name="Write">Whether it is an upload (PUT) rather than a download (GET/HEAD).</param>
/// <param name="Expires">When it stops being valid.</param>
/// <param name="Replace">A whole-file ticket: the upload replaces the file (a whole-file PUT) instead of writing a range
/// of it in place. The only ticket that may replace, and it may do nothing else: a range ticket never truncates or
/// replaces a file, nor grows it past its range.</param>
public sealed record TicketGrant(string Peer, string Path, long Offset, long Length, bool Write, DateTimeOffset Expires, bool Replace = false)
{
    /// <summary>Whether the bytes [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="length"/>)
    /// lie within the granted range.</summary>
    public bool Covers(long offset, long length) =>
        offset >= Offset && length >= 0 && offset - Offset <= Length && length <= Length - (offset - Offset);
}
