using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Akka.Actor;

namespace MmapActors.Remote;

/// <summary>
/// Says exactly why a connection to a server failed, fast. Akka.Remote reports every wrong address the same way (the
/// server silently drops messages for a name that is not its own, so the client waits for its timeout and then says
/// "not found"); this class finds the real cause while the resolution is still running:
/// <list type="number">
/// <item>the host name does not resolve (DNS);</item>
/// <item>nothing listens on host:port (a TCP probe: refused, or no answer);</item>
/// <item>something listens but does not speak Akka.Remote (another service, or a TLS server probed in clear text);</item>
/// <item>an Akka system answers, but it advertises another address or system name than the client asked for (read
/// from its handshake): the message names the exact address to use.</item>
/// </list>
/// The probes start only when the resolution has not succeeded within <see cref="Patience"/>, so a healthy server sees
/// no extra connection.
/// </summary>
public static class ConnectDiagnostics
{
    /// <summary>How long a resolution may take before the probes start.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a TLS resolution may take before the probes start.</summary>
    public static readonly TimeSpan TlsPatience = TimeSpan.FromSeconds(2.5);

    /// <summary>The budget of each probe (DNS, TCP connect, Akka handshake).</summary>
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);

    /// <summary>The largest handshake frame accepted from the peer: the bytes are hostile until checked.</summary>
    private const int MaxHandshakeFrame = 64 << 10;

    /// <summary>
    /// Runs <paramref name="resolve"/>; if it has not succeeded within <see cref="Patience"/> (or failed sooner),
    /// probes <paramref name="address"/> and throws a precise <see cref="MmapException"/> as soon as a probe finds the
    /// cause. When every probe passes, the resolution's own outcome stands.
    /// </summary>
    /// <param name="address">The server address the client asked for.</param>
    /// <param name="tls">Whether the client uses TLS (the clear-text handshake probe is then skipped).</param>
    /// <param name="resolve">The resolution (e.g. <c>ActorSelection.ResolveOne</c>), cancelled when a probe explains the failure.</param>
    /// <param name="cancellationToken">Cancels everything.</param>
    /// <exception cref="MmapException">OSError: -2 (the host does not resolve), 111 ECONNREFUSED (nothing listens),
    /// 110 ETIMEDOUT (no answer), 71 EPROTO (not Akka, or another address or system name).</exception>
    public static async Task<T> ResolveOrExplainAsync<T>(Address address, bool tls, Func<CancellationToken, Task<T>> resolve,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(resolve);
        using var resolution = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var resolving = resolve(resolution.Token);
        // A TLS association takes longer, and a clear-text probe of a TLS port makes the server log a rejected handshake:
        // give it more time before probing.
        await Task.WhenAny(resolving, Task.Delay(tls ? TlsPatience : Patience, cancellationToken)).ConfigureAwait(false);
        if (resolving.IsCompletedSuccessfully)
        {
            return resolving.Result;
        }
        cancellationToken.ThrowIfCancellationRequested();
        if (resolving.IsFaulted && resolving.Exception.InnerException is not ActorNotFoundException)
        {
            return await resolving.ConfigureAwait(false); // a fast, specific failure (e.g. a transport this client lacks) says it best
        }

        var diagnosing = DiagnoseAsync(address, tls, cancellationToken);
        // Whichever settles first decides, except that a resolution failure waits for the diagnosis that explains it.
        if (await Task.WhenAny(resolving, diagnosing).ConfigureAwait(false) == resolving && resolving.IsCompletedSuccessfully)
        {
            return resolving.Result;
        }
        if (await diagnosing.ConfigureAwait(false) is { } cause)
        {
            await resolution.CancelAsync().ConfigureAwait(false);
            _ = resolving.ContinueWith(t => t.Exception, TaskScheduler.Default); // observed: it is cancelled
            throw cause;
        }
        return await resolving.ConfigureAwait(false);
    }

    /// <summary>Probes <paramref name="address"/>; null when nothing is wrong with it as far as the probes can tell.</summary>
    public static async Task<MmapException?> DiagnoseAsync(Address address, bool tls, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.Host is not { Length: > 0 } host || address.Port is not { } port)
        {
            return null;
        }

        IPAddress[] ips;
        try
        {
            using var dns = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            dns.CancelAfter(ProbeTimeout);
            ips = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, dns.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return Error(-2, $"[Errno -2] Name or service not known: the host '{host}' of {address} does not resolve ({e.Message})");
        }
        if (ips.Length == 0)
        {
            return Error(-2, $"[Errno -2] Name or service not known: the host '{host}' of {address} has no address");
        }

        using var socket = new Socket(ips[0].AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            connect.CancelAfter(ProbeTimeout);
            await socket.ConnectAsync(new IPEndPoint(ips[0], port), connect.Token).ConfigureAwait(false);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return Error(111, $"[Errno 111] Connection refused: nothing listens on {host}:{port} ({ips[0]}); is `mmapctl serve` running there, on that port?");
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return Error(110, $"[Errno 110] Connection timed out: no answer from {host}:{port} ({ips[0]}) within {ProbeTimeout.TotalSeconds:0.#} s " +
                              "(a firewall, or the wrong host)");
        }
        if (tls)
        {
            return null; // a clear-text handshake would only confuse a TLS server; the connection itself is fine
        }

        Address? advertised;
        try
        {
            using var handshake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            handshake.CancelAfter(ProbeTimeout);
            advertised = await HandshakeAsync(socket, address.Protocol, handshake.Token).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Whatever the peer sent or did (garbage, a reset, silence), it did not complete an Akka.Remote handshake.
            advertised = null;
        }
        if (advertised is null)
        {
            return Error(71, $"[Errno 71] Protocol error: {host}:{port} accepts connections but did not answer an Akka.Remote handshake: " +
                             "another service on that port, or a server that requires TLS (give the client --config with " +
                             "akka.remote.dot-netty.tcp.enable-ssl = on, see docs/remote.md)");
        }
        if (!string.Equals(advertised.System, address.System, StringComparison.Ordinal))
        {
            return Error(71, $"[Errno 71] Protocol error: the server at {host}:{port} is the actor system '{advertised.System}', not " +
                             $"'{address.System}': use {advertised}");
        }
        if (!string.Equals(advertised.Host, address.Host, StringComparison.OrdinalIgnoreCase) || advertised.Port != address.Port)
        {
            return Error(71, $"[Errno 71] Protocol error: the server at {host}:{port} calls itself {advertised} and drops messages sent " +
                             $"to any other address: use --server {advertised}" +
                             (advertised.Host is "0.0.0.0" or "::" ? ", or restart it with --public-host <the name clients use>" : ""));
        }
        return null;
    }

    /// <summary>Sends an Akka.Remote ASSOCIATE and reads the peer's: the address the server advertises.</summary>
    private static async Task<Address?> HandshakeAsync(Socket socket, string protocol, CancellationToken cancellationToken)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        // The origin is a name no server will ever connect back to; the association ends when the socket closes.
        byte[] associate = Message(2, [.. Key(1, 0), .. Varint(1) /* ASSOCIATE */, .. Message(2, HandshakeInfo())]);
        byte[] frame = new byte[4 + associate.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, associate.Length);
        associate.CopyTo(frame, 4);
        await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);

        byte[] header = new byte[4];
        await stream.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
        int length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length is <= 0 or > MaxHandshakeFrame)
        {
            return null;
        }
        byte[] body = new byte[length];
        await stream.ReadExactlyAsync(body, cancellationToken).ConfigureAwait(false);
        var instruction = Field(body, 2);
        var handshake = instruction is null ? null : Field(instruction, 2);
        var origin = handshake is null ? null : Field(handshake, 1);
        if (origin is null)
        {
            return null;
        }
        // The origin's protocol field is the transport's ("tcp"); the address keeps the client's scheme (akka.tcp).
        string? system = Text(Field(origin, 1)), hostname = Text(Field(origin, 2));
        long? port = VarintField(origin, 3);
        return system is null || hostname is null || port is null or < 0 or > 65535
            ? null
            : new Address(protocol, system, hostname, (int)port);
    }

    private static byte[] HandshakeInfo()
    {
        byte[] origin = [.. Text(1, "mmap-probe"), .. Text(2, "127.0.0.1"), .. Key(3, 0), .. Varint(1), .. Text(4, "akka.tcp")];
        byte[] uid = new byte[9];
        uid[0] = (2 << 3) | 1; // field 2, fixed64
        BinaryPrimitives.WriteUInt64LittleEndian(uid.AsSpan(1), (ulong)Random.Shared.NextInt64());
        return [.. Message(1, origin), .. uid];
    }

    private static byte[] Key(int field, int wireType) => Varint((ulong)((field << 3) | wireType));

    private static byte[] Message(int field, byte[] body) => [.. Key(field, 2), .. Varint((ulong)body.Length), .. body];

    private static byte[] Text(int field, string text) => Message(field, Encoding.UTF8.GetBytes(text));

    private static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>(10);
        do
        {
            byte b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
        return [.. bytes];
    }

    /// <summary>The first length-delimited field <paramref name="field"/> of a protobuf message, or null (malformed
    /// input gives null, never an exception beyond <see cref="InvalidDataException"/>).</summary>
    private static byte[]? Field(byte[] message, int field)
    {
        foreach (var (number, wireType, value, bytes) in Fields(message))
        {
            if (number == field)
            {
                return wireType == 2 ? bytes : null;
            }
            _ = value;
        }
        return null;
    }

    private static long? VarintField(byte[] message, int field)
    {
        foreach (var (number, wireType, value, _) in Fields(message))
        {
            if (number == field)
            {
                return wireType == 0 ? (long)value : null;
            }
        }
        return 0; // proto3 leaves out zero values
    }

    private static IEnumerable<(int Number, int WireType, ulong Value, byte[]? Bytes)> Fields(byte[] message)
    {
        int at = 0;
        while (at < message.Length)
        {
            ulong key = ReadVarint(message, ref at);
            int number = (int)(key >> 3), wireType = (int)(key & 7);
            switch (wireType)
            {
                case 0:
                    yield return (number, 0, ReadVarint(message, ref at), null);
                    break;
                case 1:
                    Need(message, at, 8);
                    at += 8;
                    yield return (number, 1, 0, null);
                    break;
                case 2:
                    ulong length = ReadVarint(message, ref at);
                    Need(message, at, length);
                    byte[] bytes = message.AsSpan(at, (int)length).ToArray();
                    at += (int)length;
                    yield return (number, 2, 0, bytes);
                    break;
                case 5:
                    Need(message, at, 4);
                    at += 4;
                    yield return (number, 5, 0, null);
                    break;
                default:
                    throw new InvalidDataException($"protobuf wire type {wireType}");
            }
        }
    }

    private static void Need(byte[] message, int at, ulong count)
    {
        if ((ulong)(message.Length - at) < count)
        {
            throw new InvalidDataException("truncated protobuf field");
        }
    }

    private static ulong ReadVarint(byte[] message, ref int at)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            Need(message, at, 1);
            byte b = message[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
        throw new InvalidDataException("varint too long");
    }

    private static string? Text(byte[]? bytes) => bytes is null ? null : Encoding.UTF8.GetString(bytes);

    /// <summary>
    /// The first file a TLS client needs that is missing: its own certificate (<c>ssl.certificate.path</c>), or the CA
    /// certificates that check the server's (<c>SSL_CERT_FILE</c>, <c>SSL_CERT_DIR</c>: OpenSSL's trust settings, which
    /// .NET reads on Linux). Looked at before connecting: without the CA the handshake fails, and Akka.Remote reported
    /// that as "Connection refused" after the whole <c>mmap.connect-timeout</c> (10 s).
    /// </summary>
    /// <param name="config">The client's configuration; nothing is checked unless it enables TLS.</param>
    /// <param name="environment">Reads an environment variable (tests pass their own); null: the process's.</param>
    /// <returns>OSError 2 ENOENT naming the file and where it was named, or null.</returns>
    public static MmapException? MissingTlsFile(Akka.Configuration.Config config, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        const string Transport = "akka.remote.dot-netty.tcp";
        if (!config.GetBoolean($"{Transport}.enable-ssl"))
        {
            return null;
        }
        environment ??= Environment.GetEnvironmentVariable;
        string? certificate = config.GetString($"{Transport}.ssl.certificate.path", null);
        if (!string.IsNullOrEmpty(certificate) && !File.Exists(certificate))
        {
            return Missing(certificate, $"{Transport}.ssl.certificate.path, this client's TLS certificate");
        }
        if (environment("SSL_CERT_FILE") is { Length: > 0 } caFile && !File.Exists(caFile))
        {
            return Missing(caFile, "SSL_CERT_FILE, the CA certificates that check the server's certificate");
        }
        if (environment("SSL_CERT_DIR") is { Length: > 0 } caDirectories &&
            caDirectories.Split(':', StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } listed && !listed.Any(Directory.Exists))
        {
            return Missing(caDirectories, "SSL_CERT_DIR, the directories of CA certificates that check the server's certificate");
        }
        return null;

        static MmapException Missing(string path, string what) =>
            Error(2, $"[Errno 2] No such file or directory: '{path}' ({what}; see docs/remote.md, TLS step by step)");
    }

    private static MmapException Error(int errno, string message) => new(MmapErrorKind.OSError, message, errno);
}
