using Microsoft.Win32.SafeHandles;

namespace MmapActors.Benchmarks.Callers;

/// <summary>Diagnostic: one fstat(2) (<see cref="RandomAccess.GetLength"/>), the syscall the engine makes on every read and
/// write to detect a truncation from outside, to price it apart from the copy.</summary>
internal sealed class FstatCaller(SafeFileHandle file) : SyncCaller
{
    /// <inheritdoc />
    public override void Step() => RandomAccess.GetLength(file);
}
