using System.Net.Sockets;
using System.Text.Json;
using Akka.Event;
using MmapActors.Hosting.Logging;
using MmapActors.Remote.Logging;

namespace MmapActors.Tests.Diagnostics;

/// <summary>The operator's log line by line: short, one event a line, a stack trace only for a bug, JSON on request.</summary>
public sealed class OperatorLoggerTests
{
    private const string Own = "akka.tcp://mmap@127.0.0.1:4053";

    [Fact]
    public void A_long_message_is_cut_to_the_line_limit_and_says_how_much_was_left_out()
    {
        var e = new Info($"{Own}/user/mmap", typeof(OperatorLoggerTests), "Message [Payload] " + new string('x', 700) + " was not delivered");

        string line = OperatorLogger.Format(e, Own, LogLevel.InfoLevel)!;

        Assert.True(line.Length <= OperatorLogger.MaxLineLength, $"{line.Length} characters: {line}");
        Assert.StartsWith("[INFO][", line, StringComparison.Ordinal);
        Assert.Matches(@" \.\.\. \(\d+ more characters\)$", line);
    }

    [Fact]
    public void A_short_message_is_written_whole()
    {
        var e = new Warning($"{Own}/user/mmap", typeof(OperatorLoggerTests), "Refused a request");

        Assert.EndsWith("[/user/mmap] Refused a request", OperatorLogger.Format(e, Own, LogLevel.InfoLevel), StringComparison.Ordinal);
    }

    [Fact]
    public void A_network_error_is_one_line_without_a_stack_trace()
    {
        var e = new Error(Thrown(new SocketException((int)SocketError.ConnectionReset)), $"{Own}/system/transports", typeof(OperatorLoggerTests),
            "Association failed");

        string line = OperatorLogger.Format(e, Own, LogLevel.InfoLevel)!;

        Assert.DoesNotContain('\n', line);
        Assert.Contains("(SocketException: ", line, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unexpected_error_keeps_its_stack_trace_for_the_bug_report()
    {
        var e = new Error(Thrown(new InvalidOperationException("a bug")), $"{Own}/user/mmap", typeof(OperatorLoggerTests), "Owner failed");

        string text = OperatorLogger.Format(e, Own, LogLevel.InfoLevel)!;

        Assert.Contains("\n", text, StringComparison.Ordinal);
        Assert.Contains(nameof(Thrown), text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_TLS_handshake_is_the_peers_mistake_a_warning_not_a_server_error()
    {
        var e = new Error(Thrown(new IOException("Cannot determine the frame size or a corrupted frame was received")), "TcpServerHandler (akka://mmap)",
            typeof(OperatorLoggerTests), "TLS handshake failed on channel [127.0.0.1:4053->127.0.0.1:38568]");

        Assert.StartsWith("[WARNING]", OperatorLogger.Format(e, Own, LogLevel.InfoLevel), StringComparison.Ordinal);
    }

    [Fact]
    public void The_json_format_writes_one_object_a_line_with_time_level_source_message_and_error()
    {
        var e = new Warning(Thrown(new IOException("disk \"full\"")), $"{Own}/user/mmap", typeof(OperatorLoggerTests), "Flush failed\nfor a.bin");

        string line = OperatorLogger.FormatJson(e, Own, LogLevel.InfoLevel)!;

        Assert.DoesNotContain('\n', line);
        using var json = JsonDocument.Parse(line);
        Assert.Equal("WARNING", json.RootElement.GetProperty("level").GetString());
        Assert.Equal("/user/mmap", json.RootElement.GetProperty("source").GetString());
        Assert.Equal("Flush failed for a.bin", json.RootElement.GetProperty("message").GetString());
        Assert.Equal("IOException: disk \"full\"", json.RootElement.GetProperty("error").GetString());
        Assert.False(json.RootElement.TryGetProperty("stack", out _));
        Assert.True(DateTime.TryParse(json.RootElement.GetProperty("time").GetString(), out _));
    }

    [Fact]
    public void Both_formats_hide_what_is_below_the_level()
    {
        var e = new Debug($"{Own}/user/mmap", typeof(OperatorLoggerTests), "detail");

        Assert.Null(OperatorLogger.Format(e, Own, LogLevel.InfoLevel));
        Assert.Null(OperatorLogger.FormatJson(e, Own, LogLevel.InfoLevel));
    }

    [Theory]
    [InlineData("text", false)]
    [InlineData("json", true)]
    [InlineData("", false)]
    public void The_format_setting_reads_text_or_json(string value, bool json) => Assert.Equal(json, OperatorLogger.IsJson(value));

    [Fact]
    public void An_unknown_format_is_refused_naming_the_key()
    {
        var error = Assert.Throws<ArgumentException>(() => OperatorLogger.IsJson("xml"));
        Assert.Contains(OperatorLogger.FormatKey, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("akka.tcp://mmap@127.0.0.1:4053/system/endpointManager/reliableEndpointWriter-akka.tcp%3A%2F%2Fc%40h%3A1-1", "Akka.Remote")]
    [InlineData("akka.tcp://mmap@127.0.0.1:4053/system/cluster/core/daemon", "Akka")]
    [InlineData("akka.tcp://mmap@127.0.0.1:4053/user/mmap", "MmapActors")]
    public void A_hosted_event_from_a_string_source_gets_a_category_from_its_source_not_Akkas_placeholder(string source, string category)
    {
        var e = new Info(source, typeof(DummyClassForStringSources), "text");

        Assert.Equal(category, MmapHostLogger.Category(e));
    }

    [Fact]
    public void A_hosted_event_with_a_real_class_keeps_it_as_its_category() =>
        Assert.Equal(typeof(OperatorLoggerTests).FullName, MmapHostLogger.Category(new Info("/user/mmap", typeof(OperatorLoggerTests), "text")));

    private static Exception Thrown(Exception e)
    {
        try
        {
            throw e;
        }
        catch (Exception caught)
        {
            return caught;
        }
    }
}
