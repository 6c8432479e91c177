using System.Threading.Channels;

namespace MiniKube.Agent.Kubelet.Spdy;

/// <summary>
/// One stream of a <see cref="SpdyConnection"/> opened by the peer: its headers, the bytes the
/// peer sends (ending at its FIN or a reset) and a way to send ours. One task reads and one task
/// writes at a time. Incoming data waits in a small queue; a full queue holds up the whole
/// connection, as upstream's spdystream does, so a consumer that stops reading must call
/// <see cref="StopReading"/> to have the rest dropped.
/// </summary>
internal sealed class SpdyStream
{
    /// <summary>The DATA frames we send carry at most this much (moby/spdystream writes what it is given; smaller frames keep streams fair).</summary>
    public const int MaxFrame = 32 * 1024;

    private readonly SpdyConnection _connection;
    private readonly Channel<ReadOnlyMemory<byte>> _incoming = Channel.CreateBounded<ReadOnlyMemory<byte>>(
        new BoundedChannelOptions(64) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

    private ReadOnlyMemory<byte> _current;
    private volatile bool _discard;
    private volatile bool _reset;
    private int _finSent;

    public SpdyStream(SpdyConnection connection, uint id, SpdyHeaders headers)
    {
        _connection = connection;
        Id = id;
        Headers = headers;
    }

    public uint Id { get; }

    public SpdyHeaders Headers { get; }

    /// <summary>Whether either side reset the stream (nothing more can be sent).</summary>
    public bool IsReset => _reset;

    /// <summary>Reads what the peer sent; 0 once it half-closed, reset the stream or the connection ended.</summary>
    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (_current.IsEmpty)
        {
            if (!await _incoming.Reader.WaitToReadAsync(cancellationToken))
            {
                return 0;
            }
            _incoming.Reader.TryRead(out _current);
        }
        var count = Math.Min(buffer.Length, _current.Length);
        _current[..count].CopyTo(buffer);
        _current = _current[count..];
        return count;
    }

    /// <exception cref="IOException">The stream was reset or the connection is gone.</exception>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            var chunk = data[..Math.Min(data.Length, MaxFrame)];
            await SendAsync(SpdyFramer.Data(Id, chunk.Span, fin: false), cancellationToken);
            data = data[chunk.Length..];
        }
    }

    /// <summary>Half-closes our side (an empty DATA frame with FIN), once; nothing after a reset.</summary>
    public async ValueTask CloseWriteAsync(CancellationToken cancellationToken)
    {
        if (!_reset && Interlocked.Exchange(ref _finSent, 1) == 0)
        {
            await _connection.WriteFrameAsync(SpdyFramer.Data(Id, [], fin: true), cancellationToken);
        }
    }

    /// <summary>Ends the stream abnormally (RST_STREAM) and drops whatever the peer still sends.</summary>
    public async ValueTask ResetAsync(SpdyRstStatus status, CancellationToken cancellationToken)
    {
        if (_reset)
        {
            return;
        }
        Reset();
        await _connection.WriteFrameAsync(SpdyFramer.RstStream(Id, status), cancellationToken);
    }

    /// <summary>The consumer reads no more: queued and later data is dropped so the connection never waits on this stream.</summary>
    public void StopReading()
    {
        _discard = true;
        while (_incoming.Reader.TryRead(out _))
        {
        }
    }

    internal async ValueTask DeliverAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (_discard || payload.IsEmpty)
        {
            return;
        }
        try
        {
            await _incoming.Writer.WriteAsync(payload, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            // Data after the peer's FIN or a reset: dropped, as spdystream does.
        }
        if (_discard)
        {
            StopReading();
        }
    }

    internal void RemoteFinished() => _incoming.Writer.TryComplete();

    internal void Reset()
    {
        _reset = true;
        _incoming.Writer.TryComplete();
    }

    private async ValueTask SendAsync(byte[] frame, CancellationToken cancellationToken)
    {
        if (_reset)
        {
            throw new IOException($"SPDY stream {Id} was reset");
        }
        if (Volatile.Read(ref _finSent) != 0)
        {
            throw new IOException($"SPDY stream {Id} is closed for writing");
        }
        await _connection.WriteFrameAsync(frame, cancellationToken);
    }
}
