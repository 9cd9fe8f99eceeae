namespace MmapActors.Actors;

/// <summary>
/// What an owner must not lose when it restarts: the handles with their maps and cursors. It lives outside the
/// actor instance (the supervisor passes it through Props), so a restart finds it intact.
/// </summary>
internal sealed class OwnerState(string key, string? path, ServedRoot? root = null)
{
    /// <summary>The served root when the supervisor serves one: re-opens resolve beneath it, by the handle's relative path.</summary>
    public ServedRoot? Root { get; } = root;

    /// <summary>The canonical path, or <c>anonymous:N</c>.</summary>
    public string Key { get; } = key;

    /// <summary>The canonical path, or <see langword="null"/> for anonymous memory.</summary>
    public string? Path { get; } = path;

    public Dictionary<long, HandleState> Handles { get; } = new();

    public long NextHandleId { get; set; } = 1;

    /// <summary><c>OpenMap</c> messages received, successful or not (the idle handshake counts them).</summary>
    public long OpensSeen { get; set; }

    /// <summary>Consecutive restarts since the owner last ran without failing.</summary>
    public int Restarts { get; set; }
}
