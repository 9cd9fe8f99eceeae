namespace MmapActors;

/// <summary>Python's <c>PySlice_Unpack</c> + <c>PySlice_AdjustIndices</c> over 64-bit indices.</summary>
internal static class PythonSlice
{
    /// <summary>Resolves <c>slice(start, stop, step)</c> against a sequence of <paramref name="length"/> items.</summary>
    /// <returns>The number of items the slice selects.</returns>
    /// <exception cref="MmapException">ValueError when the step is zero.</exception>
    public static long Adjust(long length, long? start, long? stop, long? step, out long first, out long stride)
    {
        stride = step ?? 1;
        if (stride == 0)
        {
            throw new MmapException(MmapErrorKind.ValueError, "slice step cannot be zero");
        }
        // PySlice_Unpack clamps a step of -sys.maxsize-1 so that -step cannot overflow.
        if (stride < -long.MaxValue)
        {
            stride = -long.MaxValue;
        }
        long begin = start ?? (stride < 0 ? long.MaxValue : 0);
        long end = stop ?? (stride < 0 ? long.MinValue : long.MaxValue);

        if (begin < 0)
        {
            begin += length;
            if (begin < 0)
            {
                begin = stride < 0 ? -1 : 0;
            }
        }
        else if (begin >= length)
        {
            begin = stride < 0 ? length - 1 : length;
        }

        if (end < 0)
        {
            end += length;
            if (end < 0)
            {
                end = stride < 0 ? -1 : 0;
            }
        }
        else if (end >= length)
        {
            end = stride < 0 ? length - 1 : length;
        }

        first = begin;
        if (stride < 0)
        {
            return end < begin ? (begin - end - 1) / -stride + 1 : 0;
        }
        return begin < end ? (end - begin - 1) / stride + 1 : 0;
    }
}
