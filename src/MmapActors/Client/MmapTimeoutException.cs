namespace MmapActors;

/// <summary>
/// What every MmapActors client call throws when no answer came within <c>mmap.ask-timeout</c> (or the timeout given to
/// <see cref="MmapClient.Create(Akka.Actor.ActorSystem, Akka.Actor.IActorRef, TimeSpan?)"/>): an open, an operation on a
/// handle, a file creation, a listing, statistics. It is a <see cref="TimeoutException"/>, so code that catches those
/// keeps working. The operation may still run later at the owner.
/// </summary>
public sealed class MmapTimeoutException : TimeoutException
{
    /// <summary>Creates the exception for <paramref name="operation"/> on <paramref name="target"/>.</summary>
    /// <param name="target">The file's key, or what else was asked (the supervisor).</param>
    /// <param name="operation">The request's name (the protocol message type).</param>
    /// <param name="timeout">How long the call waited.</param>
    /// <param name="innerException">The time-out as Akka.NET or the reply sink reported it.</param>
    public MmapTimeoutException(string target, string operation, TimeSpan timeout, Exception? innerException = null)
        : base($"{target} did not answer {operation} within {timeout} (mmap.ask-timeout)", innerException)
    {
        Target = target;
        Operation = operation;
        Timeout = timeout;
    }

    /// <summary>The file's key, or what else was asked.</summary>
    public string Target { get; }

    /// <summary>The request that was not answered.</summary>
    public string Operation { get; }

    /// <summary>How long the call waited.</summary>
    public TimeSpan Timeout { get; }
}
