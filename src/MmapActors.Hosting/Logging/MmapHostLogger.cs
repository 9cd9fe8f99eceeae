using Akka.Actor;
using Akka.DependencyInjection;
using Akka.Dispatch;
using Akka.Event;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MmapActors.Remote.Logging;
using AkkaLogLevel = Akka.Event.LogLevel;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace MmapActors.Hosting.Logging;

/// <summary>
/// Akka's log events into the host's <see cref="ILoggerFactory"/>, written once: the host's provider adds the level,
/// the time and the category (the logging class), so the message carries only the source and the text
/// (<c>[/user/mmap] Serving /srv/data</c>) instead of Akka's own <c>[INFO][date][thread][source]</c> prefix a second
/// time. The source is also a structured property (<c>AkkaSource</c>). Remoting's disconnect noise is DEBUG and a
/// peer's mistakes are WARNING, as in <see cref="OperatorLogger"/>.
/// </summary>
public sealed class MmapHostLogger : ActorBase, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    private ILoggerFactory? _factory;
    private string? _ownAddress;

    /// <inheritdoc />
    protected override bool Receive(object message)
    {
        switch (message)
        {
            case InitializeLogger:
                _factory = DependencyResolver.For(Context.System).Resolver.GetService<ILoggerFactory>();
                Sender.Tell(new LoggerInitialized());
                return true;
            case LogEvent e:
                Write(e);
                return true;
            default:
                return false;
        }
    }

    private void Write(LogEvent e)
    {
        if (_factory is null)
        {
            return;
        }
        _ownAddress ??= OwnAddress();
        var logger = _factory.CreateLogger(Category(e));
        var level = ToHostLevel(OperatorLogger.EffectiveLevel(e));
        if (!logger.IsEnabled(level))
        {
            return;
        }
        string source = OperatorLogger.ShortSource(e.LogSource, _ownAddress);
        // A stack trace only for a real ERROR: a peer's mistake or a disconnect is explained by its message.
        var cause = level >= LogLevel.Error && e.Cause is { } error && OperatorLogger.IsUnexpected(error) ? error : null;
        string text = e.Message?.ToString() ?? string.Empty;
        if (cause is null && e.Cause is { } hidden)
        {
            text += $" ({hidden.GetType().Name}: {hidden.Message})";
        }
        logger.Log(level, default, cause, "[{AkkaSource}] {AkkaMessage}", source, text);
    }

    /// <summary>The category of an event: its logging class, or, for events Akka logged from a string source (whose
    /// class is Akka's placeholder <c>DummyClassForStringSources</c>), <c>Akka.Remote</c> for remoting's and
    /// <c>MmapActors</c> for the rest, so that a host's filters (<c>Logging:LogLevel:Akka.Remote</c>) reach them.</summary>
    internal static string Category(LogEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.LogClass is { } type && type != typeof(DummyClassForStringSources))
        {
            return type.FullName ?? "Akka";
        }
        string source = Uri.UnescapeDataString(e.LogSource ?? string.Empty);
        return source.Contains("/system/endpointManager", StringComparison.Ordinal) || source.Contains("/system/transports", StringComparison.Ordinal)
            ? "Akka.Remote"
            : source.Contains("/system/", StringComparison.Ordinal) ? "Akka" : "MmapActors";
    }

    private string? OwnAddress()
    {
        try
        {
            return ((ExtendedActorSystem)Context.System).Provider.DefaultAddress?.ToString();
        }
        catch (NullReferenceException)
        {
            return null; // remoting has not started yet
        }
    }

    private static LogLevel ToHostLevel(AkkaLogLevel level) => level switch
    {
        AkkaLogLevel.DebugLevel => LogLevel.Debug,
        AkkaLogLevel.InfoLevel => LogLevel.Information,
        AkkaLogLevel.WarningLevel => LogLevel.Warning,
        _ => LogLevel.Error,
    };
}
