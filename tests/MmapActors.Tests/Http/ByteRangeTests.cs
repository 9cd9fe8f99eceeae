using Microsoft.AspNetCore.Http;
using MmapActors.Remote.Http;
using TypedRange = Microsoft.Net.Http.Headers.RangeHeaderValue;

namespace MmapActors.Tests.Http;

/// <summary>The data plane's fast reading of a <c>Range</c> header against ASP.NET Core's parser, the reference.</summary>
public sealed class ByteRangeTests
{
    private static readonly string[] Handwritten =
    [
        "bytes=0-0", "bytes=0-4095", "bytes=4096-8191", "bytes=100-", "bytes=-500", "bytes=-0", "bytes=0-", "bytes=007-9",
        "bytes=999999999999999999-999999999999999999", "bytes=9999999999999999999-", "bytes=1-99999999999999999999",
        "bytes=5-3", "bytes=-", "bytes=", "bytes", "bytes=1--2", "bytes=--2", "bytes=1-2-3", "bytes=1-2,3-4", "bytes=1-2,",
        "bytes= 1-2", "bytes=1 -2", "bytes=1-2 ", "Bytes=1-2", "BYTES=1-2", "pages=1-2", "bytes=+1-2", "bytes=1-+2",
        "bytes=0x10-20", "bytes=1.5-2", "bytes=١-٢", "bytes=1-2\t", "bytes=-1-", " bytes=1-2", "bytes =1-2", "",
    ];

    public static TheoryData<string> Forms() => [.. Handwritten];

    [Theory]
    [MemberData(nameof(Forms))]
    public void A_Range_the_fast_path_accepts_means_what_ASP_NET_Core_parses(string header) => AssertAgrees(header);

    [Fact]
    public void Random_Range_headers_never_read_differently_by_the_fast_path()
    {
        var random = new Random(4096);
        const string noise = "0123456789-,= \tbB+x";
        int accepted = 0;
        for (int i = 0; i < 20_000; i++)
        {
            // mostly FROM-TO shapes with numbers of 0 to 20 digits, some with one character inserted anywhere
            var header = new System.Text.StringBuilder("bytes=");
            header.Append(Digits(random)).Append('-').Append(Digits(random));
            if (random.Next(3) == 0)
            {
                header.Insert(random.Next(header.Length + 1), noise[random.Next(noise.Length)]);
            }
            accepted += AssertAgrees(header.ToString()) ? 1 : 0;
        }
        Assert.True(accepted > 1_000, $"only {accepted} random headers took the fast path: the comparison proves little");
    }

    [Theory]
    [InlineData("bytes=0-511", 0L, 512L)]
    [InlineData("bytes=1000-", 1000L, 24L)]
    [InlineData("bytes=-24", 1000L, 24L)]
    [InlineData("bytes=-5000", 0L, 1024L)]
    [InlineData("bytes=1000-99999", 1000L, 24L)]
    public void A_range_resolves_to_the_bytes_of_the_file_cut_at_its_end(string header, long start, long count)
    {
        Assert.True(ByteRange.TryParseCanonical(header, out var range));

        Assert.True(range.TryResolve(1024, out long first, out long length));
        Assert.Equal((start, count), (first, length));
    }

    [Theory]
    [InlineData("bytes=1024-")]
    [InlineData("bytes=-0")]
    [InlineData("bytes=5000-6000")]
    public void A_range_past_the_end_or_empty_is_not_satisfiable(string header)
    {
        Assert.True(ByteRange.TryParseCanonical(header, out var range));

        Assert.False(range.TryResolve(1024, out _, out _));
    }

    [Theory]
    [InlineData("bytes=10-19")]
    [InlineData("Bytes=10-19")]
    [InlineData("bytes = 10-19")]
    public void A_request_asks_for_its_range_whether_or_not_the_fast_path_reads_it(string header)
    {
        var validators = new FileValidators(new(1, 2, 1, true, 1024, 1_700_000_000, 5));
        var context = new DefaultHttpContext();
        context.Request.Headers.Range = header;

        var range = ByteRange.Requested(context.Request, validators, out bool notModified);

        Assert.False(notModified);
        Assert.Equal(new ByteRange(10, 19), range);
    }

    [Fact]
    public void A_conditional_request_takes_the_full_parser_and_a_matching_If_None_Match_is_not_modified()
    {
        var validators = new FileValidators(new(1, 2, 1, true, 1024, 1_700_000_000, 5));
        var context = new DefaultHttpContext();
        context.Request.Headers.Range = "bytes=0-9";
        context.Request.Headers.IfNoneMatch = validators.ETagText;

        Assert.Null(ByteRange.Requested(context.Request, validators, out bool notModified));
        Assert.True(notModified);
    }

    [Fact]
    public void An_If_Range_that_no_longer_matches_asks_for_the_whole_file_and_one_that_matches_for_the_range()
    {
        var validators = new FileValidators(new(1, 2, 1, true, 1024, 1_700_000_000, 5));
        var context = new DefaultHttpContext();
        context.Request.Headers.Range = "bytes=0-9";

        context.Request.Headers.IfRange = "\"another\"";
        Assert.Null(ByteRange.Requested(context.Request, validators, out bool notModified));
        Assert.False(notModified);

        context.Request.Headers.IfRange = validators.ETagText;
        Assert.Equal(new ByteRange(0, 9), ByteRange.Requested(context.Request, validators, out notModified));
        Assert.False(notModified);
    }

    private static string Digits(Random random)
    {
        var digits = new char[random.Next(3) == 0 ? 0 : random.Next(1, 21)];
        for (int i = 0; i < digits.Length; i++)
        {
            digits[i] = (char)('0' + random.Next(10));
        }
        return new string(digits);
    }

    /// <summary>When the fast path takes <paramref name="header"/>, ASP.NET Core's parser must give that one range; and a
    /// request with that header must ask for it. True when the fast path took it.</summary>
    private static bool AssertAgrees(string header)
    {
        if (!ByteRange.TryParseCanonical(header, out var fast))
        {
            return false;
        }
        Assert.True(TypedRange.TryParse(header, out var typed), $"'{header}': the fast path took what ASP.NET Core refuses");
        Assert.Equal("bytes", typed!.Unit.Value, ignoreCase: true);
        var item = Assert.Single(typed.Ranges);
        Assert.Equal((item.From, item.To), (fast.From, fast.To));
        Assert.Equal(item.ToString(), fast.ToString());
        return true;
    }
}
