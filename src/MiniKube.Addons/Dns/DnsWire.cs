namespace MiniKube.Addons.Dns;

/// <summary>
/// The DNS wire format (RFC 1035 §4): <see cref="Decode"/> accepts compressed names and refuses
/// anything malformed with a <see cref="DnsFormatException"/>; <see cref="Encode"/> compresses
/// names and, past a size limit, sends the header and question only with the truncated flag set,
/// so that the client asks again over TCP (RFC 1035 §4.2.1, RFC 7766).
/// </summary>
public static class DnsWire
{
    /// <summary>A plain UDP message's limit without EDNS (RFC 1035 §2.3.4).</summary>
    public const int ClassicUdpLimit = 512;

    /// <summary>The largest message TCP's two-byte length prefix can carry.</summary>
    public const int TcpLimit = ushort.MaxValue;

    public const int HeaderLength = 12;

    public static DnsMessage Decode(ReadOnlySpan<byte> packet) => new DnsWireReader(packet).ReadMessage();

    /// <summary>The message's bytes; when they exceed <paramref name="maxLength"/>, the header and questions only, with TC set.</summary>
    public static byte[] Encode(DnsMessage message, int maxLength = TcpLimit)
    {
        ArgumentNullException.ThrowIfNull(message);
        var full = new DnsWireWriter().Write(message);
        if (full.Length <= maxLength)
        {
            return full;
        }
        return new DnsWireWriter().Write(message with { Truncated = true, Answers = [], Authority = [], Additional = [] });
    }

    /// <summary>The id of a packet too broken to decode, so the FORMERR reply can carry it; null when even the header is missing.</summary>
    public static ushort? PeekId(ReadOnlySpan<byte> packet) =>
        packet.Length >= HeaderLength ? (ushort)((packet[0] << 8) | packet[1]) : null;
}

/// <summary>A DNS packet that breaks the wire format: the server answers FORMERR.</summary>
public sealed class DnsFormatException(string message) : Exception(message);
