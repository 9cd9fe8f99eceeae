using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Headers;
using Microsoft.Net.Http.Headers;

namespace MmapActors.Remote.Http;

/// <summary>
/// The one byte range a <c>GET</c> or <c>HEAD</c> asks for, as the <c>Range</c> header writes it: <c>FROM-TO</c>,
/// <c>FROM-</c> or <c>-SUFFIX</c> (RFC 9110, section 14.1.2). Every range decision of the data plane is made here:
/// which range a request asks for (<see cref="Requested"/>) and which bytes of a file it means (<see cref="TryResolve"/>).
/// </summary>
/// <param name="From">The first byte, or null for a suffix range.</param>
/// <param name="To">The last byte (inclusive), the suffix length when <paramref name="From"/> is null, or null for "to the end".</param>
internal readonly record struct ByteRange(long? From, long? To)
{
    /// <summary>Decimal digits of a number the fast path reads: 18 cannot overflow a long (the full parser takes 19).</summary>
    private const int MaxDigits = 18;

    private const string BytesPrefix = "bytes=";

    /// <summary>
    /// What a request asks for: a 304 (<paramref name="notModified"/>), one range, or null for the whole file (no
    /// <c>Range</c>, another unit, several ranges, or an <c>If-Range</c> that no longer matches: RFC 9110 allows the whole
    /// file for each).
    /// </summary>
    /// <remarks>
    /// A request without conditional headers whose <c>Range</c> is in canonical form (what wrk, curl and browsers send)
    /// is read without allocating (<see cref="TryParseCanonical"/>); any other request goes through ASP.NET Core's typed
    /// headers, the reference: both give the same answer for every header the fast path accepts (a test compares them).
    /// </remarks>
    public static ByteRange? Requested(HttpRequest request, FileValidators validators, out bool notModified)
    {
        var headers = request.Headers;
        var range = headers.Range;
        notModified = false;
        if (headers.IfNoneMatch.Count == 0 && headers.IfModifiedSince.Count == 0 && headers.IfRange.Count == 0)
        {
            if (range.Count == 0)
            {
                return null;
            }
            if (range.Count == 1 && TryParseCanonical(range[0], out var canonical))
            {
                return canonical;
            }
        }
        var typed = request.GetTypedHeaders();
        if (NotModified(typed, validators))
        {
            notModified = true;
            return null;
        }
        return Single(typed, validators) is { } item ? new ByteRange(item.From, item.To) : null;
    }

    /// <summary>
    /// Reads <c>bytes=FROM-TO</c>, <c>bytes=FROM-</c> or <c>bytes=-SUFFIX</c> written exactly so: lower-case unit, ASCII
    /// digits (at most 18), no spaces, no list, <c>FROM &lt;= TO</c>. False for anything else (which may still be valid:
    /// the caller then asks the full parser).
    /// </summary>
    public static bool TryParseCanonical(string? value, out ByteRange range)
    {
        range = default;
        if (value is null || !value.StartsWith(BytesPrefix, StringComparison.Ordinal))
        {
            return false;
        }
        var rest = value.AsSpan(BytesPrefix.Length);
        int dash = rest.IndexOf('-');
        if (dash < 0)
        {
            return false;
        }
        var first = rest[..dash];
        var last = rest[(dash + 1)..];
        bool hasFirst = TryParseNumber(first, out long from);
        bool hasLast = TryParseNumber(last, out long to);
        if ((first.Length > 0 && !hasFirst) || (last.Length > 0 && !hasLast) || (!hasFirst && !hasLast) || (hasFirst && hasLast && from > to))
        {
            return false;
        }
        range = new ByteRange(hasFirst ? from : null, hasLast ? to : null);
        return true;
    }

    /// <summary>The bytes of a file of <paramref name="size"/> bytes that the range means; false: not satisfiable (416).
    /// A range running past the end is cut at the end.</summary>
    public bool TryResolve(long size, out long start, out long count)
    {
        if (From is { } from)
        {
            start = from;
            long last = Math.Min(To ?? long.MaxValue, size - 1);
            count = last - from + 1;
            return from < size && count > 0;
        }
        long suffix = To ?? 0;
        start = Math.Max(0, size - suffix);
        count = size - start;
        return suffix > 0 && size > 0;
    }

    /// <summary>As the header writes it (<c>FROM-TO</c>, <c>FROM-</c>, <c>-SUFFIX</c>).</summary>
    public override string ToString() => From is { } from
        ? string.Create(CultureInfo.InvariantCulture, $"{from}-{To}")
        : string.Create(CultureInfo.InvariantCulture, $"-{To}");

    private static bool TryParseNumber(ReadOnlySpan<char> digits, out long value)
    {
        value = 0;
        if (digits.Length is 0 or > MaxDigits)
        {
            return false;
        }
        foreach (char c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
            value = value * 10 + (c - '0');
        }
        return true;
    }

    private static bool NotModified(RequestHeaders headers, FileValidators validators)
    {
        var noneMatch = headers.IfNoneMatch;
        if (noneMatch.Count > 0)
        {
            return noneMatch.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(validators.ETag, useStrongComparison: false));
        }
        return headers.IfModifiedSince is { } since && Truncate(validators.LastModified) <= since;
    }

    /// <summary>The one range of a typed <c>Range</c>, honouring <c>If-Range</c>; null for the whole file.</summary>
    private static RangeItemHeaderValue? Single(RequestHeaders headers, FileValidators validators)
    {
        if (headers.Range is not { } range || !string.Equals(range.Unit.Value, "bytes", StringComparison.OrdinalIgnoreCase) || range.Ranges.Count != 1)
        {
            return null;
        }
        if (headers.IfRange is { } condition)
        {
            bool matches = condition.EntityTag is { } tag
                ? !tag.IsWeak && tag.Compare(validators.ETag, useStrongComparison: true)
                : condition.LastModified is { } date && date == Truncate(validators.LastModified);
            if (!matches)
            {
                return null;
            }
        }
        return range.Ranges.First();
    }

    /// <summary>HTTP dates have whole seconds.</summary>
    internal static DateTimeOffset Truncate(DateTimeOffset time) => new(time.Ticks - time.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
}
