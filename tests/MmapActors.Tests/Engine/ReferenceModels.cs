namespace MmapActors.Tests.Engine;

/// <summary>
/// Straightforward models of Python semantics over a plain <c>byte[]</c>, written independently of the engine
/// (loops and 128-bit arithmetic instead of the engine's closed forms and spans).
/// </summary>
internal static class ReferenceModels
{
    /// <summary>
    /// The indices <c>range(*slice(start, stop, step).indices(length))</c> selects, following CPython's
    /// <c>slice.indices</c>: defaults depend on the sign of the step, negative bounds count from the end, and
    /// bounds are clamped to [0, length] (step &gt; 0) or [-1, length - 1] (step &lt; 0).
    /// </summary>
    public static List<long> SliceIndices(long length, long? start, long? stop, long? step)
    {
        Int128 k = step ?? 1;
        if (k == 0)
        {
            throw new ArgumentException("step 0 has no indices", nameof(step));
        }
        Int128 n = length;
        Int128 lower = k > 0 ? 0 : -1;
        Int128 upper = k > 0 ? n : n - 1;

        Int128 Bound(long? value, Int128 omitted)
        {
            if (value is null)
            {
                return omitted;
            }
            Int128 x = value.Value;
            if (x < 0)
            {
                x += n;
            }
            return x < lower ? lower : x > upper ? upper : x;
        }

        Int128 i = Bound(start, k > 0 ? lower : upper);
        Int128 j = Bound(stop, k > 0 ? upper : lower);
        var indices = new List<long>();
        for (Int128 x = i; k > 0 ? x < j : x > j; x += k)
        {
            indices.Add((long)x);
        }
        return indices;
    }

    /// <summary>Python's <c>data[start:stop:step]</c>.</summary>
    public static byte[] Slice(byte[] data, long? start, long? stop, long? step) =>
        SliceIndices(data.Length, start, stop, step).Select(i => data[i]).ToArray();

    /// <summary>
    /// mmap's <c>find</c>/<c>rfind</c> (catalogue §3.6): a negative bound gets the length added, then both are
    /// clamped to [0, length]; end &lt; start gives -1; otherwise the lowest (highest) index i with
    /// start &lt;= i and i + len(sub) &lt;= end where <paramref name="sub"/> occurs.
    /// </summary>
    public static long Find(byte[] data, byte[] sub, long start, long end, bool reverse = false)
    {
        long s = ClampSearchBound(start, data.Length);
        long e = ClampSearchBound(end, data.Length);
        if (e < s)
        {
            return -1;
        }
        long found = -1;
        for (long i = s; i + sub.Length <= e; i++)
        {
            bool match = true;
            for (int j = 0; j < sub.Length && match; j++)
            {
                match = data[i + j] == sub[j];
            }
            if (match)
            {
                if (!reverse)
                {
                    return i;
                }
                found = i;
            }
        }
        return found;
    }

    private static long ClampSearchBound(long value, long length)
    {
        Int128 x = value;
        if (x < 0)
        {
            x += length;
        }
        return (long)(x < 0 ? 0 : x > length ? length : x);
    }

    /// <summary>
    /// mmap's <c>move(dest, src, count)</c> (catalogue E42): false when any argument is negative or either
    /// range passes the end; otherwise copies as if through a temporary buffer and returns true.
    /// </summary>
    public static bool Move(byte[] data, long destination, long source, long count)
    {
        if (destination < 0 || source < 0 || count < 0 ||
            (Int128)destination + count > data.Length || (Int128)source + count > data.Length)
        {
            return false;
        }
        var temporary = new byte[count];
        for (long i = 0; i < count; i++)
        {
            temporary[i] = data[source + i];
        }
        for (long i = 0; i < count; i++)
        {
            data[destination + i] = temporary[i];
        }
        return true;
    }
}
