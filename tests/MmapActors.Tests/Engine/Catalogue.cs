namespace MmapActors.Tests.Engine;

/// <summary>
/// The exact CPython 3.13 messages of the error catalogue (shared/reference/python-mmap-semantics.md §3),
/// named by their catalogue number. OSError texts are <c>str(exc)</c> as CPython formats them.
/// </summary>
internal static class Catalogue
{
    public const string E1_NegativeLength = "memory mapped length must be positive";
    public const string E2_NegativeOffset = "memory mapped offset must be positive";
    public const string E3_AccessAndFlags = "mmap can't specify both access and flags, prot.";
    public const string E4_InvalidAccess = "mmap invalid access parameter.";
    public const string E5_EmptyFile = "cannot mmap an empty file";
    public const string E6_OffsetPastFile = "mmap offset is greater than file size";
    public const string E8_LengthPastFile = "mmap length is greater than file size";
    public const string E18_Closed = "mmap closed or invalid";
    public const string E19_CloseWhileExported = "cannot close exported pointers exist";
    public const string E20_ReadByte = "read byte out of range";
    public const string E22_ReadOnly = "mmap can't modify a readonly memory map.";
    public const string E23_DataOutOfRange = "data out of range";
    public const string E25_WriteByte = "write byte out of range";
    public const string E26_ByteTooLarge = "unsigned byte integer is greater than maximum";
    public const string E26_ByteTooSmall = "unsigned byte integer is less than minimum";
    public const string E28_UnknownWhence = "unknown seek type";
    public const string E29_SeekOutOfRange = "seek out of range";
    public const string E34_FlushOutOfRange = "flush values out of range";
    public const string E37_MadviseStart = "madvise start out of bounds";
    public const string E38_MadviseLength = "madvise length invalid";
    public const string E39_MadviseTooLarge = "madvise length too large";
    public const string E42_MoveOutOfRange = "source, destination, or count out of range";
    public const string E43_ResizeExported = "mmap can't resize with extant buffers exported.";
    public const string E44_ResizeTrackFd = "mmap can't resize with trackfd=False.";
    public const string E45_ResizeReadOnly = "mmap can't resize a readonly or copy-on-write memory map.";
    public const string E46_NewSize = "new size out of range";
    public const string E47_ExpandSharedAnonymous = "mmap: can't expand a shared anonymous mapping on Linux";
    public const string E53_IndexOutOfRange = "mmap index out of range";
    public const string E56_StepZero = "slice step cannot be zero";
    public const string E58_ItemValue = "mmap item value must be in range(0, 256)";
    public const string E62_SliceWrongSize = "mmap slice assignment is wrong size";
    public const string E64_ItemDeletion = "mmap doesn't support item deletion";
    public const string E65_SliceDeletion = "mmap object doesn't support slice deletion";
    public const string E67_ReadOnlyMemory = "cannot modify read-only memory";

    public const int ENOENT = 2;
    public const int EBADF = 9;
    public const int EACCES = 13;
    public const int ENODEV = 19;
    public const int EINVAL = 22;

    public const string Enoent = "[Errno 2] No such file or directory";
    public const string Ebadf = "[Errno 9] Bad file descriptor";
    public const string Eacces = "[Errno 13] Permission denied";
    public const string Enodev = "[Errno 19] No such device";
    public const string Einval = "[Errno 22] Invalid argument";
}
