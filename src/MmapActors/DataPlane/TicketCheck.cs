namespace MmapActors.DataPlane;

/// <summary>The outcome of <see cref="TicketAuthority.Redeem"/>: a ticket is good, or exactly why it is not.</summary>
public enum TicketCheck
{
    /// <summary>The ticket is genuine, unexpired, unused, and covers the request; it is now spent.</summary>
    Valid,

    /// <summary>Not a ticket at all (bad encoding, wrong version, truncated).</summary>
    Malformed,

    /// <summary>The signature does not match: forged or altered (or issued by another server or before a restart).</summary>
    Forged,

    /// <summary>The ticket's lifetime has passed.</summary>
    Expired,

    /// <summary>The ticket was already used once.</summary>
    Reused,

    /// <summary>Presented by another peer than the one it was issued to.</summary>
    WrongPeer,

    /// <summary>Presented for another file.</summary>
    WrongPath,

    /// <summary>Presented for bytes outside its range.</summary>
    OutOfRange,

    /// <summary>A read ticket presented for a write, or the other way round.</summary>
    WrongDirection,

    /// <summary>A range ticket presented to replace the whole file, or a whole-file ticket presented to write a range.</summary>
    WrongOperation,
}
