using System.Collections.Concurrent;
using System.IO.Pipelines;

namespace MiniKube.Agent.Kubelet.Spdy;

/// <summary>What a <see cref="SpdyConnection"/>'s owner does with the streams the peer opens.</summary>
internal interface ISpdyStreamHandler
{
    /// <summary>Null to accept a new stream (SYN_REPLY), or why it is refused (RST_STREAM CANCEL), as apimachinery's newStreamHandler.</summary>
    string? Validate(SpdyHeaders headers);

    /// <summary>Called once the stream's SYN_REPLY is on the wire, so the handler may send on it at once.</summary>
    void Accepted(SpdyStream stream);
}

/// <summary>
/// The server side of one SPDY/3.1 connection over an upgraded HTTP connection, the role of
/// apimachinery's httpstream/spdy connection over moby/spdystream: the peer opens streams (odd
/// ids, increasing), each is validated and answered with SYN_REPLY or refused with RST_STREAM;
/// DATA is delivered to its stream, the peer's PINGs are echoed, and GOAWAY stops new streams.
/// Flow control is not enforced in either direction (kubectl's spdystream sends no
/// WINDOW_UPDATE and ignores ours); TCP's back-pressure does that job, as upstream. Frames are
/// written whole under one lock, so streams interleave at frame boundaries only.
/// </summary>
internal sealed class SpdyConnection : IDisposable
{
    private readonly Stream _transport;
    private readonly SpdyFramer _framer;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<uint, SpdyStream> _streams = new();
    private uint _lastStreamId;
    private bool _goneAway;

    public SpdyConnection(Stream transport)
    {
        ArgumentNullException.ThrowIfNull(transport);
        _transport = transport;
        _framer = new SpdyFramer(PipeReader.Create(transport, new StreamPipeReaderOptions(leaveOpen: true)));
    }

    /// <summary>
    /// Reads frames until the peer closes the connection or <paramref name="cancellationToken"/>
    /// ends; every stream then reads its end. A malformed frame ends the connection with GOAWAY
    /// PROTOCOL_ERROR and rethrows.
    /// </summary>
    public async Task RunAsync(ISpdyStreamHandler handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        try
        {
            while (await _framer.ReadFrameAsync(cancellationToken) is { } frame)
            {
                await HandleAsync(frame, handler, cancellationToken);
            }
        }
        catch (InvalidDataException)
        {
            await TryWriteAsync(SpdyFramer.GoAway(_lastStreamId, 1), cancellationToken);
            throw;
        }
        finally
        {
            foreach (var stream in _streams.Values)
            {
                stream.Reset();
            }
            _streams.Clear();
        }
    }

    /// <summary>Writes one whole frame; frames of different streams never interleave.</summary>
    /// <exception cref="IOException">The connection is gone.</exception>
    public async ValueTask WriteFrameAsync(byte[] frame, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await _transport.WriteAsync(frame, cancellationToken);
            await _transport.FlushAsync(cancellationToken);
        }
        catch (ObjectDisposedException e)
        {
            throw new IOException("the SPDY connection is closed", e);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public void Dispose() => _writeLock.Dispose();

    /// <summary>Forgets a finished stream (apimachinery's RemoveStreams): later frames for it are dropped.</summary>
    public void Remove(SpdyStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (_streams.TryRemove(stream.Id, out _))
        {
            stream.StopReading();
        }
    }

    private async Task HandleAsync(SpdyFrame frame, ISpdyStreamHandler handler, CancellationToken cancellationToken)
    {
        switch (frame)
        {
            case SpdySynStream syn:
                await OpenAsync(syn, handler, cancellationToken);
                break;
            case SpdyData data when _streams.TryGetValue(data.StreamId, out var stream):
                await stream.DeliverAsync(data.Payload, cancellationToken);
                if (data.Fin)
                {
                    stream.RemoteFinished();
                }
                break;
            case SpdyHeadersFrame { Fin: true } headers when _streams.TryGetValue(headers.StreamId, out var stream):
                stream.RemoteFinished();
                break;
            case SpdyRstStream reset when _streams.TryRemove(reset.StreamId, out var stream):
                stream.Reset();
                break;
            case SpdyPing ping when ping.Id % 2 == 1:
                // The client's (odd) ping: echo it. Ours would be even; we send none.
                await WriteFrameAsync(SpdyFramer.Ping(ping.Id), cancellationToken);
                break;
            case SpdyGoAway:
                _goneAway = true;
                break;
            default:
                // DATA for a stream that is gone, SYN_REPLY (we open no streams), SETTINGS,
                // WINDOW_UPDATE and unknown frames: nothing to do, as spdystream.
                break;
        }
    }

    private async Task OpenAsync(SpdySynStream syn, ISpdyStreamHandler handler, CancellationToken cancellationToken)
    {
        if (_goneAway)
        {
            return;
        }
        // Stream ids from the client are odd and increase (spdystream's validateStreamId).
        if (syn.StreamId % 2 == 0 || syn.StreamId <= _lastStreamId)
        {
            await WriteFrameAsync(SpdyFramer.RstStream(syn.StreamId, SpdyRstStatus.ProtocolError), cancellationToken);
            return;
        }
        _lastStreamId = syn.StreamId;
        var stream = new SpdyStream(this, syn.StreamId, syn.Headers);
        if (handler.Validate(syn.Headers) is not null)
        {
            stream.Reset();
            await WriteFrameAsync(SpdyFramer.RstStream(syn.StreamId, SpdyRstStatus.Cancel), cancellationToken);
            return;
        }
        if (syn.Fin)
        {
            stream.RemoteFinished();
        }
        _streams[syn.StreamId] = stream;
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            // The compressor is the connection's, so the SYN_REPLY is built under the write lock.
            await _transport.WriteAsync(_framer.SynReply(syn.StreamId, new SpdyHeaders()), cancellationToken);
            await _transport.FlushAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
        handler.Accepted(stream);
    }

    private async Task TryWriteAsync(byte[] frame, CancellationToken cancellationToken)
    {
        try
        {
            await WriteFrameAsync(frame, cancellationToken);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The peer is already gone; the protocol error is reported by the caller.
        }
    }
}
