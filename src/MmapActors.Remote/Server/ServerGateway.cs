using System.Security.Cryptography;
using Akka.Actor;
using Akka.Event;
using Akka.Remote;
using MmapActors.Protocol;

namespace MmapActors.Remote.Server;

/// <summary>
/// The server's one door, at <c>/user/{mmap.server.gateway-name}</c>: the only actor a peer can reach by selection
/// (Akka.Remote's untrusted mode with this single trusted path). It answers <see cref="Connect"/> with a
/// <see cref="PeerSession"/> of the peer's own, named with 128 random bits so that no other peer can find or guess it,
/// within the limits of sessions per node and in all; and it ends a peer's sessions when the peer's association ends.
/// Everything else a peer sends here is answered with an error that says to connect first.
/// </summary>
internal sealed class ServerGateway : UntypedActor
{
    private readonly IActorRef _supervisor;
    private readonly ServerSettings _settings;
    private readonly PrivateMemoryPool _pool;
    private readonly RootPaths _paths;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<IActorRef, Address> _sessions = new();
    private readonly Dictionary<Address, int> _perNode = new();
    private const int AnswersPerSecond = 1000;
    private long _answerWindowStart = Environment.TickCount64;
    private int _answersInWindow;
    private int _answersDropped;

    public ServerGateway(IActorRef supervisor, ServerSettings settings, RootPaths paths)
    {
        _supervisor = supervisor;
        _settings = settings;
        _paths = paths;
        _pool = new PrivateMemoryPool(settings.MaxPrivateBytes);
    }

    /// <summary>Props for the door; <paramref name="supervisor"/> is the node's MmapActors supervisor.</summary>
    public static Props Props(IActorRef supervisor, ServerSettings settings, RootPaths paths)
    {
        ArgumentNullException.ThrowIfNull(supervisor);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(paths);
        return Akka.Actor.Props.Create(() => new ServerGateway(supervisor, settings, paths)).WithDeploy(Deploy.Local);
    }

    /// <summary>Sessions open now (for tests and metrics).</summary>
    internal sealed record GetSessionCount
    {
        public static GetSessionCount Instance { get; } = new();
    }

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(DisassociatedEvent));
        Context.System.EventStream.Subscribe(Self, typeof(QuarantinedEvent));
        // A peer's request that reached no session (an actor it named by path, or a session that has ended) is still
        // answered, so that no client waits for its timeout when a reply could have told it.
        Context.System.EventStream.Subscribe(Self, typeof(UnhandledMessage));
        Context.System.EventStream.Subscribe(Self, typeof(DeadLetter));
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    // A session that fails is a bug in it, not in the peer: stop it (its handles are released) rather than restart it
    // with empty books while the supervisor still counts its handles.
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case FromPeer { Request: Connect connect }:
                OnConnect(connect, Sender);
                break;
            case FromPeer request:
                _ = Answer(Sender, request.Request is null
                    ? new MmapError(MmapErrorKind.OSError, $"[Errno 71] Protocol error: the request could not be read: {request.Problem}", 71) { Code = MmapErrorCode.InvalidRequest }
                    : new MmapError(MmapErrorKind.OSError,
                        $"[Errno 107] Transport endpoint is not connected: send Connect first, then {request.Request.GetType().Name} to the session it names", 107));
                break;
            case DisassociatedEvent gone:
                EndSessionsOf(gone.RemoteAddress, "the connection closed");
                break;
            case QuarantinedEvent quarantined:
                EndSessionsOf(quarantined.Address, "the peer was quarantined");
                break;
            case Terminated terminated:
                Forget(terminated.ActorRef);
                break;
            case UnhandledMessage { Message: FromPeer stray } unhandled:
                AnswerStray(stray, unhandled.Sender, $"{unhandled.Recipient.Path.Name} does not take requests from peers");
                break;
            case DeadLetter { Message: FromPeer stray } dead:
                AnswerStray(stray, dead.Sender, "no such session (it has ended, or never existed)");
                break;
            case DeadLetter or UnhandledMessage:
                break; // every other lost message of the node: not a peer's request, not ours to answer (or to log again)
            case GetSessionCount:
                Sender.Tell(_sessions.Count);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void OnConnect(Connect connect, IActorRef sender)
    {
        var peer = sender.Path.Address;
        MmapError? refusal = null;
        if (connect.ProtocolVersion != Connect.Current)
        {
            refusal = new MmapError(MmapErrorKind.OSError,
                $"[Errno 71] Protocol error: this server speaks protocol version {Connect.Current}, the client {connect.ProtocolVersion}", 71);
        }
        else if (connect.Client is null || connect.Client.IsNobody() || !connect.Client.Path.Address.Equals(peer))
        {
            refusal = new MmapError(MmapErrorKind.OSError, "[Errno 22] Invalid argument: the client actor of a Connect must live on the connecting node", 22);
        }
        else if (_sessions.Count >= _settings.MaxSessions)
        {
            refusal = new MmapError(MmapErrorKind.OSError,
                $"[Errno 11] Resource temporarily unavailable: the server has {_sessions.Count} sessions (mmap.server.max-sessions)", 11);
        }
        else if (_perNode.GetValueOrDefault(peer) >= _settings.MaxSessionsPerNode)
        {
            refusal = new MmapError(MmapErrorKind.OSError,
                $"[Errno 11] Resource temporarily unavailable: {peer} has {_settings.MaxSessionsPerNode} sessions (mmap.server.max-sessions-per-node)", 11);
        }
        if (refusal is not null)
        {
            if (Answer(sender, refusal))
            {
                _log.Warning("Refused a session to {0}: {1}", peer, refusal.Message); // bounded with the answers
            }
            return;
        }
        var session = Context.ActorOf(PeerSession.Props(peer, connect.Client!, _supervisor, _settings, _pool, _paths), "s-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
        Context.Watch(session);
        _sessions.Add(session, peer);
        _perNode[peer] = _perNode.GetValueOrDefault(peer) + 1;
        _log.Info("Session opened for {0}", peer);
        sender.Tell(new Connected(session, _settings.CheckpointInterval));
    }

    /// <summary>
    /// Answers a request no session serves. These answers are the door's only work that no session's budget bounds,
    /// so they are bounded here: at most <see cref="AnswersPerSecond"/> a second over every peer, the rest dropped
    /// (a refused <see cref="Connect"/> too, and its log line with it).
    /// Otherwise a peer that floods the door (or paths it names) and never reads would pile answers up in the server.
    /// </summary>
    private bool Answer(IActorRef to, MmapError error)
    {
        long now = Environment.TickCount64;
        if (now - _answerWindowStart >= 1000)
        {
            if (_answersDropped > 0)
            {
                _log.Warning("Dropped {0} answers to requests that reached no session (more than {1} a second)", _answersDropped, AnswersPerSecond);
            }
            _answerWindowStart = now;
            _answersInWindow = 0;
            _answersDropped = 0;
        }
        if (++_answersInWindow > AnswersPerSecond)
        {
            _answersDropped++;
            return false;
        }
        to.Tell(error);
        return true;
    }

    private void AnswerStray(FromPeer stray, IActorRef sender, string why)
    {
        // Only remote senders: a local one is the server itself, and answering it could loop.
        if (sender is null || sender.IsNobody() || sender.Path.Address.HasLocalScope)
        {
            return;
        }
        string what = stray.Request?.GetType().Name ?? "the request";
        _ = Answer(sender, new MmapError(MmapErrorKind.OSError,
            $"[Errno 107] Transport endpoint is not connected: {what} went nowhere: {why}; send requests to the session Connect named", 107));
    }

    private void EndSessionsOf(Address peer, string reason)
    {
        foreach (var (session, address) in _sessions)
        {
            if (address.Equals(peer))
            {
                session.Tell(new PeerSession.PeerGone(reason));
            }
        }
    }

    private void Forget(IActorRef session)
    {
        if (_sessions.Remove(session, out var peer))
        {
            int left = _perNode.GetValueOrDefault(peer) - 1;
            if (left <= 0)
            {
                _perNode.Remove(peer);
            }
            else
            {
                _perNode[peer] = left;
            }
        }
    }
}
