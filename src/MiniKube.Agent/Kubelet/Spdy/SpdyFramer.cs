using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;

namespace MiniKube.Agent.Kubelet.Spdy;

/// <summary>
/// The SPDY/3.1 wire format of one connection (draft 3.1 §2.2): an 8-byte frame header — for a
/// control frame the control bit, version 3, the type, the flags and a 24-bit length; for a DATA
/// frame the 31-bit stream id, the flags and the length — then the payload. Holds the two header
/// compression contexts, so one framer belongs to one connection: reads happen on one task,
/// writes on whichever task holds the connection's write lock.
/// </summary>
internal sealed class SpdyFramer(PipeReader input)
{
    public const ushort Version = 3;

    /// <summary>The largest payload a frame may carry (24-bit length).</summary>
    public const int MaxPayload = (1 << 24) - 1;

    // Control frame types (draft 3.1 §2.6); SETTINGS (4), WINDOW_UPDATE (9) and others are read and dropped.
    private const ushort SynStreamType = 1, SynReplyType = 2, RstStreamType = 3, PingType = 6, GoAwayType = 7, HeadersType = 8;
    private const byte FlagFin = 0x01, FlagUnidirectional = 0x02;

    private readonly SpdyHeaderCompressor _compressor = new();
    private readonly SpdyHeaderDecompressor _decompressor = new();

    /// <summary>The next frame, or null when the peer closed the connection between frames.</summary>
    /// <exception cref="InvalidDataException">A malformed frame (the connection cannot go on).</exception>
    public async ValueTask<SpdyFrame?> ReadFrameAsync(CancellationToken cancellationToken)
    {
        var result = await input.ReadAtLeastAsync(8, cancellationToken);
        var buffer = result.Buffer;
        if (buffer.Length < 8)
        {
            input.AdvanceTo(buffer.End);
            return buffer.Length == 0 ? null : throw new InvalidDataException("SPDY connection ended inside a frame header");
        }
        var header = new byte[8];
        buffer.Slice(0, 8).CopyTo(header);
        var length = (int)(BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4)) & 0xFFFFFF);
        if (buffer.Length < 8 + length)
        {
            input.AdvanceTo(buffer.Start, buffer.End);
            result = await input.ReadAtLeastAsync(8 + length, cancellationToken);
            buffer = result.Buffer;
            if (buffer.Length < 8 + length)
            {
                input.AdvanceTo(buffer.End);
                throw new InvalidDataException("SPDY connection ended inside a frame");
            }
        }
        var payload = buffer.Slice(8, length).ToArray();
        input.AdvanceTo(buffer.GetPosition(8 + length));
        return Parse(header, payload);
    }

    private SpdyFrame Parse(byte[] header, byte[] payload)
    {
        var first = BinaryPrimitives.ReadUInt32BigEndian(header);
        var flags = header[4];
        var fin = (flags & FlagFin) != 0;
        if ((first & 0x80000000) == 0)
        {
            return new SpdyData(first & 0x7FFFFFFF, fin, payload);
        }
        var version = (ushort)((first >> 16) & 0x7FFF);
        if (version != Version)
        {
            throw new InvalidDataException($"SPDY version {version} is not served (only 3)");
        }
        var type = (ushort)(first & 0xFFFF);
        var span = payload.AsSpan();
        return type switch
        {
            SynStreamType when span.Length >= 10 => new SpdySynStream(
                StreamId(span), StreamId(span[4..]), (byte)(span[8] >> 5), fin, (flags & FlagUnidirectional) != 0,
                _decompressor.Decompress(span[10..])),
            SynReplyType when span.Length >= 4 => new SpdySynReply(StreamId(span), fin, _decompressor.Decompress(span[4..])),
            HeadersType when span.Length >= 4 => new SpdyHeadersFrame(StreamId(span), fin, _decompressor.Decompress(span[4..])),
            RstStreamType when span.Length >= 8 => new SpdyRstStream(StreamId(span), (SpdyRstStatus)BinaryPrimitives.ReadUInt32BigEndian(span[4..])),
            PingType when span.Length >= 4 => new SpdyPing(BinaryPrimitives.ReadUInt32BigEndian(span)),
            GoAwayType when span.Length >= 8 => new SpdyGoAway(StreamId(span), BinaryPrimitives.ReadUInt32BigEndian(span[4..])),
            SynStreamType or SynReplyType or HeadersType or RstStreamType or PingType or GoAwayType =>
                throw new InvalidDataException($"SPDY control frame of type {type} is too short ({span.Length} bytes)"),
            _ => new SpdyIgnoredFrame(type),
        };
    }

    private static uint StreamId(ReadOnlySpan<byte> span) => BinaryPrimitives.ReadUInt32BigEndian(span) & 0x7FFFFFFF;

    /// <summary>A SYN_STREAM's wire form, for the side that opens streams (the kubelet only answers them).</summary>
    public byte[] SynStream(uint streamId, SpdyHeaders headers, bool fin = false) =>
        HeaderFrame(SynStreamType, streamId, 10, headers, fin);

    public byte[] SynReply(uint streamId, SpdyHeaders headers, bool fin = false) =>
        HeaderFrame(SynReplyType, streamId, 4, headers, fin);

    /// <summary>
    /// A frame whose payload is the stream id, zeros up to <paramref name="fixedLength"/> (a
    /// SYN_STREAM's associated stream, priority and slot) and a compressed header block.
    /// </summary>
    private byte[] HeaderFrame(ushort type, uint streamId, int fixedLength, SpdyHeaders headers, bool fin)
    {
        var block = _compressor.Compress(headers);
        var payload = new byte[fixedLength + block.Length];
        BinaryPrimitives.WriteUInt32BigEndian(payload, streamId);
        block.CopyTo(payload, fixedLength);
        return Control(type, fin ? FlagFin : (byte)0, payload);
    }

    public static byte[] RstStream(uint streamId, SpdyRstStatus status)
    {
        var payload = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(payload, streamId);
        BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(4), (uint)status);
        return Control(RstStreamType, 0, payload);
    }

    public static byte[] Ping(uint id)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, id);
        return Control(PingType, 0, payload);
    }

    public static byte[] GoAway(uint lastGoodStreamId, uint status = 0)
    {
        var payload = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(payload, lastGoodStreamId);
        BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(4), status);
        return Control(GoAwayType, 0, payload);
    }

    public static byte[] Data(uint streamId, ReadOnlySpan<byte> payload, bool fin)
    {
        if (payload.Length > MaxPayload)
        {
            throw new ArgumentOutOfRangeException(nameof(payload), "a DATA frame carries at most 16 MiB - 1");
        }
        var frame = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, streamId & 0x7FFFFFFF);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)payload.Length | (fin ? (uint)FlagFin << 24 : 0));
        payload.CopyTo(frame.AsSpan(8));
        return frame;
    }

    private static byte[] Control(ushort type, byte flags, byte[] payload)
    {
        var frame = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, 0x80000000 | ((uint)Version << 16) | type);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), ((uint)flags << 24) | (uint)payload.Length);
        payload.CopyTo(frame, 8);
        return frame;
    }
}
