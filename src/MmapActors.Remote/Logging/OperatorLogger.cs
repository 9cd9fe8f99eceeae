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
    private readonly LogLevel _minimum;
    private string? _ownAddress;

    /// <summary>Created by the ActorSystem from <c>akka.loggers</c>.</summary>
    public OperatorLogger()
    {
        _minimum = Context.System.Settings.LogLevel is var level && Enum.TryParse<LogLevel>(level + "Level", true, out var parsed)
            ? parsed
            : LogLevel.InfoLevel;
    }

    /// <inheritdoc />
    protected override bool Receive(object message)
    {
        switch (message)
        {
            case InitializeLogger:
                Sender.Tell(new LoggerInitialized());
                return true;
            case LogEvent e:
                if (Format(e, _ownAddress ??= OwnAddress(), _minimum) is { } line)
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
        string name = level switch
        {
            LogLevel.DebugLevel => "DEBUG",
            LogLevel.InfoLevel => "INFO",
            LogLevel.WarningLevel => "WARNING",
            _ => "ERROR",
        };
        var line = new StringBuilder()
            .Append('[').Append(name).Append("][")
            .Append(e.Timestamp.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)).Append("][")
            .Append(ShortSource(e.LogSource, ownAddress)).Append("] ")
            .Append(Readable(e.Message?.ToString() ?? string.Empty, ownAddress).ReplaceLineEndings(" "));
        if (e.Cause is { } cause)
        {
            line.Append(" (").Append(cause.GetType().Name).Append(": ").Append(cause.Message.ReplaceLineEndings(" ")).Append(')');
            if (level == LogLevel.ErrorLevel)
            {
                line.AppendLine().Append(cause.StackTrace);
            }
        }
        return line.ToString();
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

    /// <summary>A peer that used a wrong address or system name, or sent bytes that are not Akka.Remote: the peer's
    /// mistake, reported at WARNING (without a stack trace), not a server ERROR.</summary>
    private static bool IsPeerMistake(LogEvent e)
    {
        string text = e.Message?.ToString() ?? string.Empty;
        return text.Contains("for non-local recipient", StringComparison.Ordinal) ||
               text.StartsWith("Error while decoding incoming Akka PDU", StringComparison.Ordinal) ||
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
