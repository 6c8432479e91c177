using System.Buffers.Binary;
using System.Net.Sockets;

namespace MiniKube.Addons.Dns;

/// <summary>
/// Forwards a query unchanged to one upstream nameserver over the transport it came on, and
/// relays the reply unchanged (so the id, EDNS and truncation are the upstream's own): a UDP
/// client whose answer was truncated retries over TCP, and that retry goes upstream over TCP.
/// One socket per query keeps replies from being confused between clients.
/// </summary>
public sealed partial class UpstreamForwarder(IPEndPoint upstream, TimeSpan timeout, ILogger<UpstreamForwarder> logger) : IUpstreamResolver
{
    public async Task<byte[]?> ForwardAsync(ReadOnlyMemory<byte> query, DnsTransport transport, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return transport == DnsTransport.Udp
                ? await ForwardUdpAsync(query, deadline.Token)
                : await ForwardTcpAsync(query, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogNoAnswer(upstream, transport, "no reply in time");
            return null;
        }
        catch (SocketException e)
        {
            LogNoAnswer(upstream, transport, e.Message);
            return null;
        }
        catch (EndOfStreamException e)
        {
            LogNoAnswer(upstream, transport, e.Message);
            return null;
        }
    }

    private async Task<byte[]> ForwardUdpAsync(ReadOnlyMemory<byte> query, CancellationToken cancellationToken)
    {
        using var socket = new Socket(upstream.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        await socket.ConnectAsync(upstream, cancellationToken);
        await socket.SendAsync(query, SocketFlags.None, cancellationToken);
        var buffer = new byte[DnsWire.TcpLimit];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            // A stray datagram (a late reply to someone else) does not carry our id: keep waiting.
            if (received >= 2 && buffer[0] == query.Span[0] && buffer[1] == query.Span[1])
            {
                return buffer[..received];
            }
        }
    }

    private async Task<byte[]> ForwardTcpAsync(ReadOnlyMemory<byte> query, CancellationToken cancellationToken)
    {
        using var client = new TcpClient(upstream.AddressFamily);
        await client.ConnectAsync(upstream, cancellationToken);
        var stream = client.GetStream();
        var prefix = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(prefix, (ushort)query.Length);
        await stream.WriteAsync(prefix, cancellationToken);
        await stream.WriteAsync(query, cancellationToken);
        await stream.ReadExactlyAsync(prefix, cancellationToken);
        var reply = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
        await stream.ReadExactlyAsync(reply, cancellationToken);
        return reply;
    }

    [LoggerMessage(EventId = LogEvents.Addons + 895, Level = LogLevel.Warning, Message = "Upstream nameserver {Upstream} gave no answer over {Transport}: {Reason}; the client gets SERVFAIL")]
    private partial void LogNoAnswer(IPEndPoint upstream, DnsTransport transport, string reason);
}
