using MmapActors.Native;
using MmapActors.Protocol;

namespace MmapActors.Remote.Server;

/// <summary>
/// The served root as a peer may see it: nowhere. Keys and error messages leave the server relative to the root, so
/// no peer learns where on the server the files live (the root as configured and as the kernel resolves it).
/// </summary>
internal sealed class RootPaths
{
    private readonly string[] _prefixes;

    public RootPaths(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        var forms = new List<string> { Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)) };
        if (LibC.CanonicalPath(root, out string canonical) == 0)
        {
            forms.Add(Path.TrimEndingDirectorySeparator(canonical));
        }
        // Longest first, so a root nested in another form of itself is cut whole.
        _prefixes = forms.Where(f => f.Length > 1).Distinct(StringComparer.Ordinal).OrderByDescending(f => f.Length).ToArray();
    }

    /// <summary>A key as the peer sees it: relative to the root (anonymous keys stay as they are).</summary>
    public string Relative(string key)
    {
        foreach (string prefix in _prefixes)
        {
            if (key.StartsWith(prefix + "/", StringComparison.Ordinal))
            {
                return key[(prefix.Length + 1)..];
            }
            if (key == prefix)
            {
                return ".";
            }
        }
        return key;
    }

    /// <summary>A reply with every mention of the root removed from its error messages.</summary>
    public MapReply Clean(MapReply reply) => reply switch
    {
        MmapError e => e with { Message = Scrub(e.Message) },
        BatchReply { Error: { } e } b => b with { Error = e with { Message = Scrub(e.Message) } },
        _ => reply,
    };

    private string Scrub(string text)
    {
        foreach (string prefix in _prefixes)
        {
            text = text.Replace(prefix + "/", "", StringComparison.Ordinal).Replace(prefix, ".", StringComparison.Ordinal);
        }
        return text;
    }
}
