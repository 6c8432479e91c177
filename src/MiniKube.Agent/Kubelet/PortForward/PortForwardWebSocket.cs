using System.Buffers.Binary;
using System.Text;
using System.Threading.Channels;
using MiniKube.Agent.Runtime;

namespace MiniKube.Agent.Kubelet.PortForward;

/// <summary>
/// The channel-numbered WebSocket port-forward (pkg/kubelet/cri/streaming/portforward/websocket.go),
/// which the official C# client speaks: the ports come in the query, one connection each for the
/// whole session; port i's data travels on channel 2i both ways and its errors on channel 2i+1,
/// and the first message on each channel is the port as two little-endian bytes. Subprotocols:
/// none or <c>v4.channel.k8s.io</c> (binary messages, the channel as the first byte) and
/// <c>v4.base64.channel.k8s.io</c> (text messages, the channel as an ASCII digit, then base64).
/// The session ends when every port's connection has, or when the client closes.
/// </summary>
internal sealed class PortForwardWebSocket
{
    public const string V4Binary = "v4.channel.k8s.io";
    public const string V4Base64 = "v4.base64.channel.k8s.io";

    private readonly FrameWebSocket _socket;
    private readonly bool _base64;
    private readonly Channel<ReadOnlyMemory<byte>>[] _incoming;

    private PortForwardWebSocket(FrameWebSocket socket, bool base64, int ports)
    {
        _socket = socket;
        _base64 = base64;
        _incoming = [.. Enumerable.Range(0, ports).Select(_ => Channel.CreateBounded<ReadOnlyMemory<byte>>(new BoundedChannelOptions(64) { SingleReader = true, SingleWriter = true }))];
    }

    /// <summary>
    /// The subprotocol to answer with: null when the client offered none (upstream's "" config),
    /// else the first offered that is served; false when none is.
    /// </summary>
    public static bool Negotiate(IList<string> offered, out string? protocol)
    {
        ArgumentNullException.ThrowIfNull(offered);
        protocol = offered.FirstOrDefault(p => p is V4Binary or V4Base64);
        return offered.Count == 0 || protocol is not null;
    }

    public static async Task ServeAsync(FrameWebSocket socket, IReadOnlyList<int> ports, IContainerRuntime runtime, PodSandbox sandbox, Action<string> logFailure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(ports);
        var session = new PortForwardWebSocket(socket, socket.SubProtocol == V4Base64, ports.Count);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reader = session.ReadAsync(stop.Token);
        try
        {
            var prefix = new byte[2];
            for (var i = 0; i < ports.Count; i++)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(prefix, (ushort)ports[i]);
                await session.SendAsync(2 * i, prefix, stop.Token);
                await session.SendAsync(2 * i + 1, prefix, stop.Token);
            }
            await Task.WhenAll(ports.Select((port, i) => session.ForwardAsync(i, port, runtime, sandbox, logFailure, stop.Token)));
            await socket.CloseAsync(stop.Token);
            await reader.WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or TimeoutException)
        {
            // The client went away or did not answer our close.
        }
        finally
        {
            await stop.CancelAsync();
            await reader.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task ForwardAsync(int index, int port, IContainerRuntime runtime, PodSandbox sandbox, Action<string> logFailure, CancellationToken cancellationToken)
    {
        Stream pod;
        try
        {
            pod = await runtime.PortForwardAsync(sandbox, port, cancellationToken);
        }
        catch (PortForwardException e)
        {
            var message = $"error forwarding port {port.ToString(CultureInfo.InvariantCulture)} to pod {sandbox.Id}, uid : {e.Message}";
            logFailure(message);
            await SendAsync(2 * index + 1, Encoding.UTF8.GetBytes(message), cancellationToken);
            return;
        }
        await PortForwardCopy.RunAsync(new Data(this, index), pod, cancellationToken);
    }

    /// <summary>
    /// Routes the client's messages (each frame one, see <see cref="FrameWebSocket"/>) to the ports'
    /// queues until it closes; error channels and unknown channels are ignored.
    /// </summary>
    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await _socket.ReceiveAsync(cancellationToken) is { } message)
            {
                var (channel, payload) = Decode(message.Payload);
                if (channel >= 0 && channel % 2 == 0 && channel / 2 < _incoming.Length && !payload.IsEmpty)
                {
                    await _incoming[channel / 2].Writer.WriteAsync(payload, cancellationToken);
                }
            }
        }
        finally
        {
            foreach (var queue in _incoming)
            {
                queue.Writer.TryComplete();
            }
        }
    }

    private (int Channel, ReadOnlyMemory<byte> Payload) Decode(byte[] message)
    {
        if (message.Length == 0)
        {
            return (-1, default);
        }
        if (!_base64)
        {
            return (message[0], message.AsMemory(1));
        }
        try
        {
            return (message[0] - '0', Convert.FromBase64String(Encoding.ASCII.GetString(message, 1, message.Length - 1)));
        }
        catch (FormatException)
        {
            return (-1, default); // not base64: dropped, as wsstream drops what it cannot decode
        }
    }

    private async Task SendAsync(int channel, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        byte[] message;
        if (_base64)
        {
            message = Encoding.ASCII.GetBytes((char)('0' + channel) + Convert.ToBase64String(payload.Span));
        }
        else
        {
            message = new byte[payload.Length + 1];
            message[0] = (byte)channel;
            payload.CopyTo(message.AsMemory(1));
        }
        await _socket.SendAsync(message, _base64, cancellationToken);
    }

    /// <summary>Port i's data channel as the client's side of a forward.</summary>
    private sealed class Data(PortForwardWebSocket session, int index) : IForwardChannel
    {
        private ReadOnlyMemory<byte> _current;
        private volatile bool _stopped;

        public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            var queue = session._incoming[index].Reader;
            while (_current.IsEmpty)
            {
                if (_stopped || !await queue.WaitToReadAsync(cancellationToken))
                {
                    return 0;
                }
                queue.TryRead(out _current);
            }
            var count = Math.Min(buffer.Length, _current.Length);
            _current[..count].CopyTo(buffer);
            _current = _current[count..];
            return count;
        }

        public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
            await session.SendAsync(2 * index, data, cancellationToken);

        // The channel protocol has no half-close: the pod's end shows when the session ends.
        public ValueTask CloseWriteAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public void StopReading()
        {
            _stopped = true;
            // Later messages for this port must not hold up the reader: drain and keep draining.
            _ = DrainAsync();
        }

        private async Task DrainAsync()
        {
            var queue = session._incoming[index].Reader;
            while (await queue.WaitToReadAsync(CancellationToken.None))
            {
                while (queue.TryRead(out _))
                {
                }
            }
        }
    }
}
