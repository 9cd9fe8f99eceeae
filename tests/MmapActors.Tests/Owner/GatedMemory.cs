using System.Buffers;

namespace MmapActors.Tests.Owner;

/// <summary>
/// Caller memory that lets a test stop an operation in the middle of its turn: the first time the operation asks for the
/// span (a <c>ReadAtInto</c> does, just before it copies), <see cref="Entered"/> is set and the operation waits until the
/// test calls <see cref="Release"/>; or, with <c>fail</c>, it throws as a bug would.
/// </summary>
internal sealed class GatedMemory(int length, bool fail = false) : MemoryManager<byte>
{
    private readonly byte[] _array = new byte[length];
    private readonly ManualResetEventSlim _release = new();

    public ManualResetEventSlim Entered { get; } = new();

    public byte[] Array => _array;

    /// <summary>The memory, made without asking for the span (the base class's would, and stop at the gate).</summary>
    public override Memory<byte> Memory => CreateMemory(_array.Length);

    public void Release() => _release.Set();

    public override Span<byte> GetSpan()
    {
        Entered.Set();
        if (fail)
        {
            throw new InvalidOperationException("a bug in the middle of an operation");
        }
        if (!_release.Wait(TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException("the test never released the operation");
        }
        return _array;
    }

    public override MemoryHandle Pin(int elementIndex = 0) => throw new NotSupportedException();

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
        _release.Dispose();
        Entered.Dispose();
    }
}
