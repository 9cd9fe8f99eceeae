using MmapActors.Owner;

namespace MmapActors.Actors;

/// <summary>
/// What an owner must not lose when it restarts: the file with its handles, mappings and cursors. It lives outside the
/// actor instance (the supervisor passes it through Props), so a restart finds it intact.
/// </summary>
internal sealed class OwnerState(SharedFile file)
{
    /// <summary>The file's domain logic and state.</summary>
    public SharedFile File { get; } = file;

    /// <summary>Who may touch <see cref="File"/> now: the owner, or an in-process caller running inline.</summary>
    public FileTurn Turn { get; } = new(file);

    /// <summary>The canonical path, or <c>anonymous:N</c>.</summary>
    public string Key => File.Key;

    /// <summary><c>OpenMap</c> messages received, successful or not (the idle handshake counts them).</summary>
    public long OpensSeen { get; set; }

    /// <summary>Consecutive restarts since the owner last ran without failing.</summary>
    public int Restarts { get; set; }
}
