using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;

namespace MmapActors.Remote.Http;

/// <summary>
/// How fast a request body must keep arriving (<c>mmap.http.min-body-rate</c> after <c>mmap.http.body-grace-period</c>):
/// every read of a chunk of the body (at most 64 KiB, <see cref="DataPlaneHandler"/>) must be complete within the grace
/// period plus the chunk's bytes at the minimum rate, or the request ends as a timeout (<c>408</c>, errno 110, and the
/// connection closes). Kestrel's own minimum data rate averages over the whole body, so a client that sent 1 MiB quickly
/// and then stopped kept its connection for 1 MiB / 240 B/s, over an hour; a deadline per chunk bounds a stall by the
/// time of one chunk, whatever came before it.
/// </summary>
internal sealed class BodyPace
{
    private readonly long _bytesPerSecond;
    private readonly TimeSpan _grace;

    private BodyPace(long bytesPerSecond, TimeSpan grace)
    {
        _bytesPerSecond = bytesPerSecond;
        _grace = grace;
    }

    /// <summary>A pace of at least <paramref name="bytesPerSecond"/>, after <paramref name="grace"/> per chunk.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A rate or a grace period that is not positive.</exception>
    public static BodyPace Create(long bytesPerSecond, TimeSpan grace)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytesPerSecond);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(grace, TimeSpan.Zero);
        return new BodyPace(bytesPerSecond, grace);
    }

    /// <summary>The longest one chunk of <paramref name="bytes"/> may take to arrive.</summary>
    public TimeSpan DeadlineFor(int bytes) => _grace + TimeSpan.FromSeconds((double)bytes / _bytesPerSecond);

    /// <summary><see cref="PipeReader.ReadAtLeastAsync"/> of the request's body, within <see cref="DeadlineFor"/>.</summary>
    /// <exception cref="MmapException">OSError errno 110 (ETIMEDOUT): the bytes did not arrive in time.</exception>
    public async ValueTask<ReadResult> ReadAtLeastAsync(HttpContext context, int want)
    {
        var aborted = context.RequestAborted;
        var deadline = DeadlineFor(want);
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        timer.CancelAfter(deadline);
        try
        {
            return await context.Request.BodyReader.ReadAtLeastAsync(want, timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
        {
            throw new MmapException(MmapErrorKind.OSError, FormattableString.Invariant(
                $"[Errno 110] Connection timed out: {want} bytes of the request body did not arrive within {deadline.TotalSeconds:0.#} s ") +
                FormattableString.Invariant($"(mmap.http.min-body-rate {_bytesPerSecond} bytes/s after mmap.http.body-grace-period {_grace.TotalSeconds:0.#} s)"), 110);
        }
    }
}
