using System.Runtime.InteropServices;

namespace MmapActors.Native;

/// <summary>
/// An owned Linux file descriptor. Unlike <see cref="Microsoft.Win32.SafeHandles.SafeFileHandle"/>, which treats
/// 0 as invalid (and would leak descriptor 0 in a process started with stdin closed), only -1 is invalid.
/// The reference counting of <see cref="SafeHandle"/> is the point: a descriptor in use by one thread (a
/// directory fd inside openat2, say) is never closed, and its number never reused, under it by another.
/// </summary>
internal sealed class SafeDescriptorHandle : SafeHandle
{
    public SafeDescriptorHandle(int fd)
        : base(-1, ownsHandle: true) => SetHandle(fd);

    public override bool IsInvalid => handle == -1;

    /// <summary>The descriptor; only meaningful while the caller holds a reference (or owns the handle).</summary>
    public int Descriptor => (int)handle;

    protected override bool ReleaseHandle()
    {
        // On Linux close(2) releases the descriptor even when it reports an error (EINTR, EIO), and retrying
        // could close a number another thread has just been given, so the result is deliberately ignored.
        LibC.Close((int)handle);
        return true;
    }
}
