using System.Globalization;
using System.Text;
using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;

namespace MmapActors.Remote.Logging;

/// <summary>
/// The server's log on standard output, written for operators (<c>akka.loggers</c> in <c>config/server.hocon</c>):
/// <list type="bullet">
/// <item>a client that disconnects normally is not an error: Akka.Remote's disassociation reports (an ERROR with a
/// stack trace and a WARNING per exit) and its buffer bookkeeping are shown only at DEBUG; the supervisor logs the one
/// INFO line instead;</item>
/// <item>actor paths are readable: the server's own address is left out and remoting's URL-encoded endpoint names
/// become <c>remoting[client@host:port]</c>;</item>
/// <item>every event is one line; a stack trace is printed only for an ERROR whose cause is an unexpected exception.</item>
/// </list>
/// </summary>
public sealed class OperatorLogger : ActorBase, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    /// <summary>The longest line the text format writes for one event (a longer message is cut, saying how much was
    /// left out): a log line must fit an operator's terminal and a log shipper's line limit.</summary>
    public const int MaxLineLength = 250;

    /// <summary>The configuration key that chooses the format: <c>text</c> (the default) or <c>json</c>.</summary>
    public const string FormatKey = "mmap.log-format";

    private readonly LogLevel _minimum;
    private readonly bool _json;
    private string? _ownAddress;

    /// <summary>Created by the ActorSystem from <c>akka.loggers</c>.</summary>
    public OperatorLogger()
    {
        _minimum = Context.System.Settings.LogLevel is var level && Enum.TryParse<LogLevel>(level + "Level", true, out var parsed)
            ? parsed
            : LogLevel.InfoLevel;
        _json = IsJson(Context.System.Settings.Config.GetString(FormatKey, "text"));
    }

    /// <summary>Whether <paramref name="format"/> (the value of <see cref="FormatKey"/>) asks for JSON lines.</summary>
    /// <exception cref="ArgumentException">Neither <c>text</c> nor <c>json</c>.</exception>
    public static bool IsJson(string? format) => format switch
    {
        null or "" or "text" => false,
        "json" => true,
        _ => throw new ArgumentException($"{FormatKey} = \"{format}\": must be text or json", nameof(format)),
    };

    /// <inheritdoc />
    protected override bool Receive(object message)
    {
        switch (message)
        {
            case InitializeLogger:
                Sender.Tell(new LoggerInitialized());
                return true;
            case LogEvent e:
                if ((_json ? FormatJson(e, _ownAddress ??= OwnAddress(), _minimum) : Format(e, _ownAddress ??= OwnAddress(), _minimum)) is { } line)
                {
                    Console.Out.WriteLine(line);
                }
                return true;
            default:
                return false;
        }
    }

    /// <summary>The system's address once remoting has started (loggers start before it); null until then.</summary>
    private string? OwnAddress()
    {
        try
        {
            return ((ExtendedActorSystem)Context.System).Provider.DefaultAddress?.ToString();
        }
        catch (NullReferenceException)
        {
            return null;
        }
    }

    /// <summary>The line for an event, or <see langword="null"/> when it is hidden at <paramref name="minimum"/>.</summary>
    public static string? Format(LogEvent e, string? ownAddress, LogLevel minimum)
    {
        ArgumentNullException.ThrowIfNull(e);
        var level = EffectiveLevel(e);
        if (level < minimum)
        {
            return null;
        }
        var line = new StringBuilder()
            .Append('[').Append(LevelName(level)).Append("][")
            .Append(Timestamp(e)).Append("][")
            .Append(ShortSource(e.LogSource, ownAddress)).Append("] ")
            .Append(Text(e, ownAddress));
        if (line.Length > MaxLineLength)
        {
            // Cut, and say so: a dead letter or an exception message can carry a whole message's ToString.
            const int keep = MaxLineLength - 40; // room for the note below, whatever the count
            string more = $" ... ({line.Length - keep} more characters)";
            line.Length = keep;
            line.Append(more);
        }
        if (e.Cause is { } cause && level == LogLevel.ErrorLevel && IsUnexpected(cause))
        {
            // A bug's report needs its stack; every expected failure is explained by its one line.
            line.AppendLine().Append(cause.StackTrace);
        }
        return line.ToString();
    }

    /// <summary>The event as one JSON object on one line (<c>time</c>, <c>level</c>, <c>source</c>, <c>message</c>, and
    /// <c>error</c> and <c>stack</c> where there is a cause), or <see langword="null"/> when it is hidden at
    /// <paramref name="minimum"/>. Nothing is cut: a machine reads it.</summary>
    public static string? FormatJson(LogEvent e, string? ownAddress, LogLevel minimum)
    {
        ArgumentNullException.ThrowIfNull(e);
        var level = EffectiveLevel(e);
        if (level < minimum)
        {
            return null;
        }
        using var buffer = new MemoryStream();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("time", Timestamp(e));
            json.WriteString("level", LevelName(level));
            json.WriteString("source", ShortSource(e.LogSource, ownAddress));
            json.WriteString("message", Readable(e.Message?.ToString() ?? string.Empty, ownAddress).ReplaceLineEndings(" "));
            if (e.Cause is { } cause)
            {
                json.WriteString("error", $"{cause.GetType().Name}: {cause.Message.ReplaceLineEndings(" ")}");
                if (level == LogLevel.ErrorLevel && IsUnexpected(cause))
                {
                    json.WriteString("stack", cause.StackTrace);
                }
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.DebugLevel => "DEBUG",
        LogLevel.InfoLevel => "INFO",
        LogLevel.WarningLevel => "WARNING",
        _ => "ERROR",
    };

    private static string Timestamp(LogEvent e) =>
        e.Timestamp.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Text(LogEvent e, string? ownAddress)
    {
        string text = Readable(e.Message?.ToString() ?? string.Empty, ownAddress).ReplaceLineEndings(" ");
        return e.Cause is { } cause ? $"{text} ({cause.GetType().Name}: {cause.Message.ReplaceLineEndings(" ")})" : text;
    }

    /// <summary>Whether <paramref name="cause"/> (non-null) is a bug's (worth a stack trace) rather than the network's or a peer's:
    /// a connection that drops, a socket refused, a TLS handshake that fails, or a peer that stopped are expected on any
    /// network, and their one line says all an operator can act on.</summary>
    public static bool IsUnexpected(Exception cause)
    {
        for (var e = cause; e is not null; e = e.InnerException)
        {
            if (e is System.Net.Sockets.SocketException or System.Security.Authentication.AuthenticationException or IOException or TimeoutException ||
                e.GetType().FullName is { } name && (name.StartsWith("Akka.Remote.", StringComparison.Ordinal) ||
                                                     name.StartsWith("DotNetty.", StringComparison.Ordinal) ||
                                                     name == "Akka.Actor.ActorNotFoundException"))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The level an operator should see an event at: a normal disconnect's noise is DEBUG, a peer's mistake
    /// (a wrong address, bytes that are not Akka.Remote) is WARNING, everything else keeps its level.</summary>
    public static LogLevel EffectiveLevel(LogEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return IsDisconnectNoise(e) ? LogLevel.DebugLevel : IsPeerMistake(e) ? LogLevel.WarningLevel : e.LogLevel();
    }

    /// <summary>What Akka.Remote reports each time a peer goes away, normally or not: the peer's departure is the
    /// supervisor's to report (one INFO line), not remoting's.</summary>
    private static bool IsDisconnectNoise(LogEvent e)
    {
        string text = e.Message?.ToString() ?? string.Empty;
        string cause = e.Cause?.GetType().FullName ?? string.Empty;
        return cause is "Akka.Remote.EndpointDisassociatedException" or "Akka.Remote.ShutDownAssociation" ||
               text.StartsWith("Removing receive buffers for", StringComparison.Ordinal) ||
               text == "Disassociated" ||
               // dead letters of a departed peer's endpoint (its timers and acknowledgements)
               (text.Contains("not delivered", StringComparison.Ordinal) && text.Contains("endpointManager", StringComparison.Ordinal)) ||
               (text.StartsWith("Association with remote system", StringComparison.Ordinal) &&
                (text.Contains("EndpointDisassociatedException", StringComparison.Ordinal) ||
                 text.Contains("ShutDownAssociation", StringComparison.Ordinal) ||
                 text.Contains("Disassociated", StringComparison.Ordinal)));
    }

    /// <summary>A peer that used a wrong address or system name, sent bytes that are not Akka.Remote, or failed the TLS
    /// handshake: the peer's mistake, reported at WARNING (without a stack trace), not a server ERROR.</summary>
    private static bool IsPeerMistake(LogEvent e)
    {
        string text = e.Message?.ToString() ?? string.Empty;
        return text.Contains("for non-local recipient", StringComparison.Ordinal) ||
               text.StartsWith("Error while decoding incoming Akka PDU", StringComparison.Ordinal) ||
               // a client without TLS (or with a certificate the server does not trust) at a TLS server
               text.StartsWith("TLS handshake failed", StringComparison.Ordinal) ||
               e.Cause?.GetType().FullName == "Akka.Remote.Transport.AkkaProtocolException";
    }

    /// <summary><c>/user/mmap</c> for the system's own actors (<paramref name="ownAddress"/> left out);
    /// <c>remoting[peer]</c> for a remoting endpoint's.</summary>
    public static string ShortSource(string? source, string? ownAddress)
    {
        string decoded = Uri.UnescapeDataString(source ?? string.Empty);
        int endpoint = decoded.IndexOf("/system/endpointManager/", StringComparison.Ordinal);
        if (endpoint >= 0)
        {
            int scheme = decoded.IndexOf("://", endpoint, StringComparison.Ordinal);
            if (scheme >= 0)
            {
                string peer = decoded[(scheme + 3)..];
                int end = peer.IndexOfAny(['/', ' ']);
                peer = end >= 0 ? peer[..end] : peer;
                int dash = peer.LastIndexOf('-');
                if (dash > peer.LastIndexOf(':'))
                {
                    peer = peer[..dash]; // the endpoint's sequence number
                }
                return $"remoting[{peer}]";
            }
            return "remoting";
        }
        return Readable(decoded, ownAddress);
    }

    /// <summary>Actor paths of this system without its address (<c>/user/mmap</c>), URL-encoded paths decoded.</summary>
    private static string Readable(string text, string? ownAddress)
    {
        if (text.Contains("%3A%2F%2F", StringComparison.Ordinal))
        {
            text = Uri.UnescapeDataString(text);
        }
        if (!string.IsNullOrEmpty(ownAddress))
        {
            text = text.Replace(ownAddress + "/", "/", StringComparison.Ordinal);
        }
        return text.Replace("akka://mmap/", "/", StringComparison.Ordinal);
    }
}
