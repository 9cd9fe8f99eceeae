namespace MmapActors.Client;

/// <summary>How a call in flight learns that its connection was lost; callers see <see cref="For"/>'s exception.</summary>
internal sealed class ConnectionLostException(string reason) : Exception(reason)
{
    /// <summary>Errno ECONNRESET: Python's <c>ConnectionResetError</c>.</summary>
    public const int Errno = 104;

    /// <summary>The error a caller of <paramref name="operation"/> sees.</summary>
    public MmapException For(string operation) =>
        new(MmapErrorKind.OSError, $"[Errno {Errno}] Connection reset by peer: {operation} failed: {Message}", Errno, this);
}
