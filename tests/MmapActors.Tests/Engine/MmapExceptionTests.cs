namespace MmapActors.Tests.Engine;

/// <summary>The exception triple (kind, message, errno) and the Python class name it stands for.</summary>
public sealed class MmapExceptionTests
{
    [Fact]
    public void The_constructor_keeps_kind_message_and_errno()
    {
        var error = new MmapException(MmapErrorKind.OSError, "[Errno 22] Invalid argument", 22);

        Assert.Equal(MmapErrorKind.OSError, error.Kind);
        Assert.Equal("[Errno 22] Invalid argument", error.Message);
        Assert.Equal(22, error.Errno);
        Assert.IsAssignableFrom<Exception>(error);
    }

    [Fact]
    public void The_errno_defaults_to_none()
    {
        var error = new MmapException(MmapErrorKind.ValueError, "mmap closed or invalid");

        Assert.Null(error.Errno);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(-1)]
    public void The_constructor_rejects_an_unknown_kind(int kind)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MmapException((MmapErrorKind)kind, "x"));
    }

    [Fact]
    public void The_constructor_rejects_a_null_message()
    {
        Assert.Throws<ArgumentNullException>(() => new MmapException(MmapErrorKind.ValueError, null!));
    }

    [Theory]
    [InlineData(MmapErrorKind.ValueError, "ValueError")]
    [InlineData(MmapErrorKind.TypeError, "TypeError")]
    [InlineData(MmapErrorKind.IndexError, "IndexError")]
    [InlineData(MmapErrorKind.OverflowError, "OverflowError")]
    [InlineData(MmapErrorKind.BufferError, "BufferError")]
    public void PythonTypeName_of_a_non_OS_error_is_the_Python_class(MmapErrorKind kind, string name)
    {
        Assert.Equal(name, new MmapException(kind, "m").PythonTypeName);
        Assert.Equal(name, new MmapException(kind, "m", 13).PythonTypeName);
    }

    /// <summary>
    /// CPython's errnomap (Objects/exceptions.c, <c>_PyExc_InitState</c>: the ADD_ERRNO lines) with Linux errno
    /// values: the OSError constructor returns these subclasses.
    /// </summary>
    [Theory]
    [InlineData(1, "PermissionError")]          // EPERM
    [InlineData(2, "FileNotFoundError")]        // ENOENT
    [InlineData(3, "ProcessLookupError")]       // ESRCH
    [InlineData(4, "InterruptedError")]         // EINTR
    [InlineData(10, "ChildProcessError")]       // ECHILD
    [InlineData(11, "BlockingIOError")]         // EAGAIN / EWOULDBLOCK
    [InlineData(13, "PermissionError")]         // EACCES
    [InlineData(17, "FileExistsError")]         // EEXIST
    [InlineData(20, "NotADirectoryError")]      // ENOTDIR
    [InlineData(21, "IsADirectoryError")]       // EISDIR
    [InlineData(32, "BrokenPipeError")]         // EPIPE
    [InlineData(103, "ConnectionAbortedError")] // ECONNABORTED
    [InlineData(104, "ConnectionResetError")]   // ECONNRESET
    [InlineData(108, "BrokenPipeError")]        // ESHUTDOWN
    [InlineData(110, "TimeoutError")]           // ETIMEDOUT
    [InlineData(111, "ConnectionRefusedError")] // ECONNREFUSED
    [InlineData(114, "BlockingIOError")]        // EALREADY
    [InlineData(115, "BlockingIOError")]        // EINPROGRESS
    public void PythonTypeName_refines_OSError_by_errno_like_CPython(int errno, string name)
    {
        Assert.Equal(name, new MmapException(MmapErrorKind.OSError, "m", errno).PythonTypeName);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(5)]    // EIO
    [InlineData(9)]    // EBADF
    [InlineData(12)]   // ENOMEM
    [InlineData(19)]   // ENODEV
    [InlineData(22)]   // EINVAL
    [InlineData(28)]   // ENOSPC
    public void PythonTypeName_of_other_OS_errors_is_OSError(int? errno)
    {
        Assert.Equal("OSError", new MmapException(MmapErrorKind.OSError, "m", errno).PythonTypeName);
    }

    [Theory]
    [InlineData(22, Catalogue.Einval)]
    [InlineData(9, Catalogue.Ebadf)]
    [InlineData(13, Catalogue.Eacces)]
    [InlineData(19, Catalogue.Enodev)]
    [InlineData(2, Catalogue.Enoent)]
    public void FromErrno_formats_the_message_as_CPython_does(int errno, string message)
    {
        var error = MmapException.FromErrno(errno);

        Assert.Equal(MmapErrorKind.OSError, error.Kind);
        Assert.Equal(errno, error.Errno);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void FromErrno_appends_the_detail_after_a_colon_like_a_file_name()
    {
        var error = MmapException.FromErrno(2, "'/tmp/x'");

        Assert.Equal("[Errno 2] No such file or directory: '/tmp/x'", error.Message);
        Assert.Equal("FileNotFoundError", error.PythonTypeName);
    }

    [Fact]
    public void ToString_shows_the_Python_class_and_message_like_a_traceback_line()
    {
        Assert.Equal("ValueError: mmap closed or invalid", new MmapException(MmapErrorKind.ValueError, "mmap closed or invalid").ToString());
        Assert.Equal("PermissionError: [Errno 13] Permission denied", MmapException.FromErrno(13).ToString());
    }
}
