using Microsoft.AspNetCore.Http;

namespace MmapActors.Remote.Http;

/// <summary>
/// How an <see cref="MmapException"/> travels over HTTP: a status code an HTTP user understands, and the error itself as
/// data in two headers (<c>Mmap-Error</c>: the kind; <c>Mmap-Errno</c>: the errno) with the message as the text body,
/// so our remote client raises exactly the exception an actor client would.
/// </summary>
public static class DataPlaneErrors
{
    /// <summary>The header carrying the <see cref="MmapErrorKind"/> name.</summary>
    public const string KindHeader = "Mmap-Error";

    /// <summary>The header carrying the errno, when there is one.</summary>
    public const string ErrnoHeader = "Mmap-Errno";

    /// <summary>The status code for an error.</summary>
    public static int StatusFor(MmapException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.Kind switch
        {
            MmapErrorKind.OSError => error.Errno switch
            {
                2 or 20 => StatusCodes.Status404NotFound,             // ENOENT, ENOTDIR
                1 or 13 => StatusCodes.Status403Forbidden,            // EPERM, EACCES (read-only export)
                18 or 40 => StatusCodes.Status403Forbidden,           // EXDEV, ELOOP: outside the root
                19 or 21 => StatusCodes.Status403Forbidden,           // ENODEV (not a regular file), EISDIR
                17 => StatusCodes.Status409Conflict,                  // EEXIST
                22 => StatusCodes.Status400BadRequest,                // EINVAL
                36 => StatusCodes.Status414UriTooLong,                // ENAMETOOLONG
                27 => StatusCodes.Status413PayloadTooLarge,           // EFBIG
                28 or 122 => StatusCodes.Status507InsufficientStorage, // ENOSPC, EDQUOT
                95 => StatusCodes.Status501NotImplemented,            // EOPNOTSUPP
                110 => StatusCodes.Status408RequestTimeout,           // ETIMEDOUT: a body slower than mmap.http.min-body-rate
                _ => StatusCodes.Status500InternalServerError,
            },
            MmapErrorKind.TypeError => StatusCodes.Status403Forbidden, // a write through a read-only map
            MmapErrorKind.BufferError => StatusCodes.Status409Conflict,
            _ => StatusCodes.Status400BadRequest,
        };
    }

    /// <summary>Writes an error response (when the response has not started).</summary>
    public static Task WriteAsync(HttpResponse response, MmapException error)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(error);
        return WriteAsync(response, StatusFor(error), error.Message, error.Kind, error.Errno);
    }

    /// <summary>Writes an error response with a status and a plain-text reason.</summary>
    internal static Task WriteAsync(HttpResponse response, int status, string message, MmapErrorKind? kind = null, int? errno = null)
    {
        response.StatusCode = status;
        response.Headers.ContentType = "text/plain; charset=utf-8";
        if (status == StatusCodes.Status408RequestTimeout)
        {
            // The rest of a body too slow to wait for would be as slow to drain: the connection ends with this answer.
            response.Headers.Connection = "close";
        }
        if (kind is { } k)
        {
            response.Headers[KindHeader] = k.ToString();
        }
        if (errno is { } n)
        {
            response.Headers[ErrnoHeader] = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        string body = message + "\n";
        response.ContentLength = System.Text.Encoding.UTF8.GetByteCount(body);
        return HttpMethods.IsHead(response.HttpContext.Request.Method) ? Task.CompletedTask : response.WriteAsync(body);
    }
}
