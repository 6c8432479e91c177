using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace MiniKube.Agent.Kubelet.PortForward;

/// <summary>
/// The server end of an RFC 6455 WebSocket that reads frame by frame, for the channel-numbered
/// port-forward. Context: the official C# client sends every write as a non-final binary frame
/// that starts with its channel byte (StreamDemuxer.Write), and upstream's kubelet
/// (golang.org/x/net/websocket in wsstream) takes each frame as one message; .NET's WebSocket
/// joins frames into messages and may split a frame across reads, so the channel bytes could
/// not be found. Decision: this small framer — every data frame (text, binary or continuation)
/// is one message; pings are answered; a close is answered and ends reading. Writes are whole
/// final frames under one lock.
/// </summary>
internal sealed class FrameWebSocket : IDisposable
{
    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private const byte Continuation = 0x0, Text = 0x1, Binary = 0x2, Close = 0x8, Ping = 0x9;

    /// <summary>The largest frame accepted from a client (the C# client writes what it is given; 16 MiB is plenty).</summary>
    private const long MaxFrame = 16 * 1024 * 1024;

    private readonly Stream _stream;
    private readonly PipeReader _input;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private bool _closeSent;

    private FrameWebSocket(Stream stream, string? protocol)
    {
        _stream = stream;
        _input = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        SubProtocol = protocol;
    }

    public string? SubProtocol { get; }

    /// <summary>Completes the handshake (101 with Sec-WebSocket-Accept and the chosen subprotocol) and takes over the connection.</summary>
    public static async Task<FrameWebSocket> AcceptAsync(HttpContext context, string? protocol)
    {
        ArgumentNullException.ThrowIfNull(context);
        var upgrade = context.Features.Get<IHttpUpgradeFeature>() ?? throw new InvalidOperationException("the connection cannot be upgraded");
        var key = context.Request.Headers.SecWebSocketKey.ToString();
        context.Response.Headers.Upgrade = "websocket";
#pragma warning disable CA5350 // RFC 6455 fixes SHA-1 for the handshake; it protects nothing
        context.Response.Headers.SecWebSocketAccept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + AcceptGuid)));
#pragma warning restore CA5350
        if (protocol is not null)
        {
            context.Response.Headers.SecWebSocketProtocol = protocol;
        }
        return new FrameWebSocket(await upgrade.UpgradeAsync(), protocol);
    }

    /// <summary>The next data frame's payload and whether it was text; null once the client closed or went away.</summary>
    public async Task<(byte[] Payload, bool Text)?> ReceiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var (opcode, payload) = await ReadFrameAsync(cancellationToken) ?? default;
            switch (opcode)
            {
                case Continuation or Text or Binary when payload is not null:
                    return (payload, opcode == Text);
                case Ping:
                    await SendFrameAsync(0xA, payload, cancellationToken);
                    break;
                case Close:
                    await CloseAsync(cancellationToken);
                    return null;
                case 0 when payload is null:
                    return null; // the connection ended without a close
                default:
                    break; // pong or an unknown control frame
            }
        }
    }

    public Task SendAsync(ReadOnlyMemory<byte> payload, bool text, CancellationToken cancellationToken) =>
        SendFrameAsync(text ? Text : Binary, payload, cancellationToken);

    /// <summary>Sends a normal close (1000) once.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        if (!_closeSent)
        {
            _closeSent = true;
            await SendFrameAsync(Close, new byte[] { 0x03, 0xE8 }, cancellationToken);
        }
    }

    public void Dispose()
    {
        _sendLock.Dispose();
        _stream.Dispose();
    }

    private async Task<(byte Opcode, byte[]? Payload)?> ReadFrameAsync(CancellationToken cancellationToken)
    {
        var header = await ReadExactlyAsync(2, cancellationToken);
        if (header is null)
        {
            return null;
        }
        var opcode = (byte)(header[0] & 0x0F);
        var masked = (header[1] & 0x80) != 0;
        long length = header[1] & 0x7F;
        if (length >= 126)
        {
            var extended = await ReadExactlyAsync(length == 126 ? 2 : 8, cancellationToken) ?? throw new IOException("WebSocket frame cut short");
            length = length == 126 ? BinaryPrimitives.ReadUInt16BigEndian(extended) : BinaryPrimitives.ReadInt64BigEndian(extended);
        }
        if (length is < 0 or > MaxFrame)
        {
            throw new IOException($"WebSocket frame of {length} bytes is too large");
        }
        var mask = masked ? await ReadExactlyAsync(4, cancellationToken) ?? throw new IOException("WebSocket frame cut short") : null;
        var payload = await ReadExactlyAsync((int)length, cancellationToken) ?? throw new IOException("WebSocket frame cut short");
        if (mask is not null)
        {
            for (var i = 0; i < payload.Length; i++)
            {
                payload[i] ^= mask[i & 3];
            }
        }
        return (opcode, payload);
    }

    private async Task<byte[]?> ReadExactlyAsync(int count, CancellationToken cancellationToken)
    {
        if (count == 0)
        {
            return [];
        }
        var result = await _input.ReadAtLeastAsync(count, cancellationToken);
        if (result.Buffer.Length < count)
        {
            _input.AdvanceTo(result.Buffer.End);
            return null;
        }
        var bytes = new byte[count];
        var slice = result.Buffer.Slice(0, count);
        System.Buffers.BuffersExtensions.CopyTo(slice, bytes);
        _input.AdvanceTo(slice.End);
        return bytes;
    }

    private async Task SendFrameAsync(byte opcode, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var header = new byte[10];
        header[0] = (byte)(0x80 | opcode);
        int headerLength;
        if (payload.Length < 126)
        {
            header[1] = (byte)payload.Length;
            headerLength = 2;
        }
        else if (payload.Length <= ushort.MaxValue)
        {
            header[1] = 126;
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), (ushort)payload.Length);
            headerLength = 4;
        }
        else
        {
            header[1] = 127;
            BinaryPrimitives.WriteInt64BigEndian(header.AsSpan(2), payload.Length);
            headerLength = 10;
        }
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await _stream.WriteAsync(header.AsMemory(0, headerLength), cancellationToken);
            await _stream.WriteAsync(payload, cancellationToken);
            await _stream.FlushAsync(cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
    }
}
