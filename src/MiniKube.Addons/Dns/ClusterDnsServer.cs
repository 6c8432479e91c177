using System.Buffers.Binary;
using System.Net.Sockets;

namespace MiniKube.Addons.Dns;

/// <summary>
/// The DNS listener: UDP and TCP (two-byte length prefix, several queries per connection,
/// RFC 7766) on each of <see cref="ClusterDnsOptions.ListenAddresses"/>, every query answered by a
/// <see cref="DnsQueryHandler"/> on its own task so a slow upstream never holds up cluster names.
/// <see cref="Bind"/> opens the sockets at once, so a port in use fails the start, not a later
/// query; <see cref="RunAsync"/> serves until cancelled. An unexpected error in any query ends
/// <see cref="RunAsync"/> with it (the host then stops in order); network errors of one client
/// only end that client's exchange.
/// </summary>
public sealed partial class ClusterDnsServer : IDisposable
{
    private readonly DnsQueryHandler _handler;
    private readonly ClusterDnsOptions _options;
    private readonly ILogger _logger;
    private readonly List<Socket> _udp = [];
    private readonly List<TcpListener> _tcp = [];
    private readonly TaskCompletionSource _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ClusterDnsServer(DnsQueryHandler handler, ClusterDnsOptions options, ILogger logger)
    {
        _handler = handler;
        _options = options;
        _logger = logger;
    }

    /// <summary>The UDP endpoints bound (TCP listens on the same ones).</summary>
    public IReadOnlyList<IPEndPoint> Endpoints => [.. _udp.Select(s => (IPEndPoint)s.LocalEndPoint!)];

    /// <summary>
    /// Opens every socket; with port 0 the first UDP socket's port is used for the rest, and a
    /// port whose TCP side another process holds is given up for a new one.
    /// </summary>
    public static ClusterDnsServer Bind(DnsQueryHandler handler, ClusterDnsOptions options, ILogger<ClusterDnsServer> logger)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return BindOnce(handler, options, logger);
            }
            catch (SocketException e) when (options.Port == 0 && e.SocketErrorCode == SocketError.AddressAlreadyInUse && attempt < 10)
            {
                // Any free port will do: try another.
            }
        }
    }

    private static ClusterDnsServer BindOnce(DnsQueryHandler handler, ClusterDnsOptions options, ILogger<ClusterDnsServer> logger)
    {
        var server = new ClusterDnsServer(handler, options, logger);
        try
        {
            var port = options.Port;
            foreach (var address in options.ListenAddresses)
            {
                var udp = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                server._udp.Add(udp);
                udp.Bind(new IPEndPoint(address, port));
                port = ((IPEndPoint)udp.LocalEndPoint!).Port;
                var tcp = new TcpListener(address, port);
                server._tcp.Add(tcp);
                tcp.Start();
            }
        }
        catch (SocketException)
        {
            server.Dispose();
            throw;
        }
        return server;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var loops = _udp.Select(s => ServeUdpAsync(s, stop.Token)).Concat(_tcp.Select(l => ServeTcpAsync(l, stop.Token))).ToList();
        foreach (var endpoint in Endpoints)
        {
            LogListening(endpoint);
        }
        try
        {
            await _failed.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            await stop.CancelAsync();
            Dispose();
            await Task.WhenAll(loops);
        }
    }

    public void Dispose()
    {
        foreach (var socket in _udp)
        {
            socket.Dispose();
        }
        foreach (var listener in _tcp)
        {
            listener.Dispose();
        }
    }

    private async Task ServeUdpAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[DnsWire.TcpLimit];
        EndPoint any = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException && cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionRefused)
            {
                // An ICMP error about an earlier reply: nothing to do with the next query.
                continue;
            }
            var packet = buffer.AsSpan(0, received.ReceivedBytes).ToArray();
            _ = Guard(AnswerUdpAsync(socket, packet, received.RemoteEndPoint, cancellationToken));
        }
    }

    private async Task AnswerUdpAsync(Socket socket, byte[] packet, EndPoint client, CancellationToken cancellationToken)
    {
        if (await _handler.HandleAsync(packet, DnsTransport.Udp, cancellationToken) is not { } reply)
        {
            return;
        }
        try
        {
            await socket.SendToAsync(reply, SocketFlags.None, client, cancellationToken);
        }
        catch (SocketException e)
        {
            var name = client.ToString() ?? "";
            LogClientError(name, e.Message);
        }
    }

    private async Task ServeTcpAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException && cancellationToken.IsCancellationRequested)
            {
                return;
            }
            _ = Guard(AnswerTcpAsync(client, cancellationToken));
        }
    }

    private async Task AnswerTcpAsync(TcpClient client, CancellationToken cancellationToken)
    {
        using var _ = client;
        var remote = client.Client.RemoteEndPoint?.ToString() ?? "";
        var stream = client.GetStream();
        var prefix = new byte[2];
        try
        {
            while (true)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                idle.CancelAfter(_options.TcpIdleTimeout);
                var read = await stream.ReadAtLeastAsync(prefix, prefix.Length, throwOnEndOfStream: false, idle.Token);
                if (read < prefix.Length)
                {
                    return;
                }
                var packet = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
                await stream.ReadExactlyAsync(packet, idle.Token);
                if (await _handler.HandleAsync(packet, DnsTransport.Tcp, cancellationToken) is not { } reply)
                {
                    return;
                }
                BinaryPrimitives.WriteUInt16BigEndian(prefix, (ushort)reply.Length);
                await stream.WriteAsync(prefix, cancellationToken);
                await stream.WriteAsync(reply, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // Idle past the timeout, or the server is stopping: close the connection.
        }
        catch (IOException e)
        {
            LogClientError(remote, e.Message);
        }
    }

    /// <summary>Runs one client's exchange; anything it did not expect stops the server (STYLE.md §7: no swallowed errors).</summary>
    private async Task Guard(Task exchange)
    {
        try
        {
            await exchange;
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        catch (Exception e)
        {
            _failed.TrySetException(e);
        }
    }

    [LoggerMessage(EventId = LogEvents.Addons + 890, Level = LogLevel.Information, Message = "Cluster DNS listening on {Endpoint} (UDP and TCP)")]
    private partial void LogListening(IPEndPoint endpoint);

    [LoggerMessage(EventId = LogEvents.Addons + 891, Level = LogLevel.Debug, Message = "DNS client {Client}: {Reason}")]
    private partial void LogClientError(string client, string reason);
}
