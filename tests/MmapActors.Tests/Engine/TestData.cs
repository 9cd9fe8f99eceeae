using System.Text;

namespace MmapActors.Tests.Engine;

/// <summary>Deterministic contents for maps and files.</summary>
internal static class TestData
{
    /// <summary>
    /// <paramref name="length"/> bytes where neighbouring bytes differ and every value 0..255 occurs, so a
    /// misplaced or shifted copy is always visible.
    /// </summary>
    public static byte[] Pattern(int length, int seed = 0)
    {
        var bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(i * 167 + seed * 31 + 11);
        }
        return bytes;
    }

    /// <summary>The 35-byte text of dotnet-mmap-notes.md §4 (lines, an empty line, a tail without newline).</summary>
    public static byte[] Lines => "line1\nline2\n\nabcabc\nlast-no-newline"u8.ToArray();

    /// <summary>The data of CPython's test_find_end / test_rfind.</summary>
    public static byte[] OneTwoOnes => "one two ones"u8.ToArray();

    public static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);
}
