namespace MiniKube.Agent.Kubelet.Spdy;

/// <summary>
/// The SPDY/3.1 frames the kubelet's port-forward and exec streams use, unpacked (SPDY draft 3.1
/// §2.2, §2.6; the Go side is moby/spdystream's spdy package). Header blocks are already
/// decompressed here; <see cref="SpdyFramer"/> owns the wire form.
/// </summary>
internal abstract record SpdyFrame;

/// <summary>A control frame type this implementation does not act on (SETTINGS, WINDOW_UPDATE, CREDENTIAL, unknown ones): read and dropped, as SPDY asks.</summary>
internal sealed record SpdyIgnoredFrame(ushort Type) : SpdyFrame;

/// <summary>SYN_STREAM: the peer opens stream <paramref name="StreamId"/> (odd: client-initiated).</summary>
internal sealed record SpdySynStream(uint StreamId, uint AssociatedStreamId, byte Priority, bool Fin, bool Unidirectional, SpdyHeaders Headers) : SpdyFrame;

/// <summary>SYN_REPLY: the answer to a SYN_STREAM.</summary>
internal sealed record SpdySynReply(uint StreamId, bool Fin, SpdyHeaders Headers) : SpdyFrame;

/// <summary>HEADERS: more headers for an open stream.</summary>
internal sealed record SpdyHeadersFrame(uint StreamId, bool Fin, SpdyHeaders Headers) : SpdyFrame;

/// <summary>RST_STREAM: the stream ends abnormally with <paramref name="Status"/>.</summary>
internal sealed record SpdyRstStream(uint StreamId, SpdyRstStatus Status) : SpdyFrame;

/// <summary>PING: echoed by the side that did not send it (ids of the other side's parity).</summary>
internal sealed record SpdyPing(uint Id) : SpdyFrame;

/// <summary>GOAWAY: no new streams after <paramref name="LastGoodStreamId"/>.</summary>
internal sealed record SpdyGoAway(uint LastGoodStreamId, uint Status) : SpdyFrame;

/// <summary>A DATA frame; <paramref name="Fin"/> half-closes the sender's side of the stream.</summary>
internal sealed record SpdyData(uint StreamId, bool Fin, ReadOnlyMemory<byte> Payload) : SpdyFrame;

/// <summary>The RST_STREAM status codes we send or act on (SPDY/3.1 §2.4.2 lists eleven).</summary>
internal enum SpdyRstStatus : uint
{
    ProtocolError = 1,

    /// <summary>What spdystream's Reset sends, and what kubectl sends on a finished data stream.</summary>
    Cancel = 5,
}

/// <summary>
/// A header block's name/value pairs. Names are lower case on the wire; a value may hold
/// several values joined by NUL, which <see cref="Get"/> splits (the first one is returned).
/// </summary>
internal sealed class SpdyHeaders
{
    private readonly List<KeyValuePair<string, string>> _pairs = [];

    public IReadOnlyList<KeyValuePair<string, string>> Pairs => _pairs;

    public SpdyHeaders Add(string name, string value)
    {
        _pairs.Add(new(name.ToLowerInvariant(), value));
        return this;
    }

    /// <summary>The first value of <paramref name="name"/> (case-insensitive), or null.</summary>
    public string? Get(string name)
    {
        foreach (var (key, value) in _pairs)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                var separator = value.IndexOf('\0', StringComparison.Ordinal);
                return separator < 0 ? value : value[..separator];
            }
        }
        return null;
    }
}
