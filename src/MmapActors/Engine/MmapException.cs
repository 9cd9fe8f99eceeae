using System.Runtime.InteropServices;

namespace MmapActors;

/// <summary>
/// The one exception type of MmapActors. <see cref="Kind"/> names the exception class CPython's mmap raises
/// in the same situation, <see cref="Exception.Message"/> is CPython's message (<c>str(exc)</c>) and
/// <see cref="Errno"/> is the Linux error number for <see cref="MmapErrorKind.OSError"/>. This triple is
/// what actor replies and remote replies carry, so an error looks the same locally and remotely.
/// </summary>
public sealed class MmapException : Exception
{
    /// <summary>Creates an exception of the given kind with CPython's message.</summary>
    /// <param name="kind">The CPython exception class.</param>
    /// <param name="message">The message, exactly as <c>str(exc)</c> shows it in CPython.</param>
    /// <param name="errno">The error number; only meaningful for <see cref="MmapErrorKind.OSError"/>.</param>
    public MmapException(MmapErrorKind kind, string message, int? errno = null)
        : this(kind, message, errno, null)
    {
    }

    /// <summary>Creates an exception of the given kind with CPython's message and the exception that caused it.</summary>
    /// <param name="kind">The CPython exception class.</param>
    /// <param name="message">The message, exactly as <c>str(exc)</c> shows it in CPython.</param>
    /// <param name="errno">The error number; only meaningful for <see cref="MmapErrorKind.OSError"/>.</param>
    /// <param name="innerException">The cause.</param>
    public MmapException(MmapErrorKind kind, string message, int? errno, Exception? innerException)
        : base(message, innerException)
    {
        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown error kind.");
        }
        ArgumentNullException.ThrowIfNull(message);
        Kind = kind;
        Errno = errno;
        Code = MmapErrorCodes.Classify(kind, message);
    }

    /// <summary>What went wrong, for programs to branch on (see <see cref="MmapErrorCode"/>); never parse the message.</summary>
    public MmapErrorCode Code { get; init; }

    /// <summary>The CPython exception class this error corresponds to.</summary>
    public MmapErrorKind Kind { get; }

    /// <summary>The Linux errno of an <see cref="MmapErrorKind.OSError"/>; <see langword="null"/> otherwise.</summary>
    public int? Errno { get; }

    /// <summary>
    /// The exact Python class name, as <c>type(exc).__name__</c> shows it: OSError is refined by errno the way
    /// CPython's <c>OSError</c> constructor does (errno 13 is <c>PermissionError</c>, 2 is
    /// <c>FileNotFoundError</c>, ...).
    /// </summary>
    public string PythonTypeName => Kind switch
    {
        MmapErrorKind.OSError => Errno switch
        {
            1 or 13 => "PermissionError",
            2 => "FileNotFoundError",
            3 => "ProcessLookupError",
            4 => "InterruptedError",
            10 => "ChildProcessError",
            11 or 114 or 115 => "BlockingIOError",
            17 => "FileExistsError",
            20 => "NotADirectoryError",
            21 => "IsADirectoryError",
            32 or 108 => "BrokenPipeError",
            103 => "ConnectionAbortedError",
            104 => "ConnectionResetError",
            110 => "TimeoutError",
            111 => "ConnectionRefusedError",
            _ => "OSError",
        },
        _ => Kind.ToString(),
    };

    /// <summary>An <see cref="MmapErrorKind.OSError"/> formatted as CPython formats one: <c>[Errno 22] Invalid argument</c>.</summary>
    /// <param name="errno">The Linux error number.</param>
    /// <param name="detail">Optional text appended after a colon, as CPython appends a file name.</param>
    public static MmapException FromErrno(int errno, string? detail = null)
    {
        var text = $"[Errno {errno}] {Marshal.GetPInvokeErrorMessage(errno)}";
        return new MmapException(MmapErrorKind.OSError, detail is null ? text : $"{text}: {detail}", errno);
    }

    internal static MmapException FromLastError() => FromErrno(Marshal.GetLastPInvokeError());

    internal static MmapException Closed() => new(MmapErrorKind.ValueError, "mmap closed or invalid");

    internal static MmapException ReadOnly() => new(MmapErrorKind.TypeError, "mmap can't modify a readonly memory map.");

    /// <inheritdoc />
    public override string ToString() => $"{PythonTypeName}: {Message}";
}
