using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MmapActors.Tests.Hosting;

/// <summary>Keeps every message logged through Microsoft.Extensions.Logging, and lets a test wait for one.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _messages = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = new();

    public IReadOnlyCollection<string> Messages => _messages;

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    /// <summary>The first message (already logged or still to come) that <paramref name="match"/> accepts.</summary>
    public Task<string> WaitForAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            if (_messages.FirstOrDefault(match) is { } already)
            {
                return Task.FromResult(already);
            }
            _waiters.Add((match, found));
        }
        return found.Task.WaitAsync(timeout);
    }

    public void Dispose()
    {
    }

    private void Add(string message)
    {
        lock (_waiters)
        {
            _messages.Enqueue(message);
            foreach (var waiter in _waiters.Where(w => w.Match(message)).ToList())
            {
                waiter.Found.TrySetResult(message);
                _waiters.Remove(waiter);
            }
        }
    }

    private sealed class Logger(CapturingLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            provider.Add(formatter(state, exception));
    }
}
