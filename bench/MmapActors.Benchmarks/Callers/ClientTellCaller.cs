namespace MmapActors.Benchmarks.Callers;

/// <summary>Diagnostic: <see cref="IMappedFile.TellAsync"/>, the whole client and owner path with no engine work (no
/// syscall, no copy), so that comparing it with a read separates the actor path from the engine.</summary>
internal sealed class ClientTellCaller(IMappedFile file) : Caller
{
    /// <inheritdoc />
    public override ValueTask StepAsync() => new(file.TellAsync());
}
