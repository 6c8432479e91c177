
namespace MiniKube.Addons.Dns;

/// <summary>
/// One query's bytes in, the reply's bytes out (null: send nothing). Malformed queries get
/// FORMERR (or nothing when not even the header is there), responses are ignored, opcodes other
/// than QUERY get NOTIMP; names in the cluster domain are answered by the
/// <see cref="ClusterDnsResolver"/>, the rest go to the upstream (SERVFAIL without one).
/// UDP replies keep to 512 bytes, or to the client's EDNS size (at most 4096).
/// </summary>
public sealed partial class DnsQueryHandler(ClusterDnsResolver resolver, IUpstreamResolver? upstream, ILogger<DnsQueryHandler> logger)
{
    // The UDP payload this server advertises and accepts at most (the DNS flag day 2020 value for its own side).
    private const int MaxUdpPayload = 4096;

    public async Task<byte[]?> HandleAsync(ReadOnlyMemory<byte> packet, DnsTransport transport, CancellationToken cancellationToken)
    {
        DnsMessage query;
        try
        {
            query = DnsWire.Decode(packet.Span);
        }
        catch (DnsFormatException e)
        {
            LogMalformed(transport, e.Message);
            return DnsWire.PeekId(packet.Span) is { } id
                ? DnsWire.Encode(new DnsMessage { Id = id, IsResponse = true, ResponseCode = DnsResponseCode.FormatError })
                : null;
        }
        if (query.IsResponse)
        {
            return null;
        }
        if (query.Opcode != 0)
        {
            return Encode(query, query.Reply(DnsResponseCode.NotImplemented) with { Questions = [] }, transport);
        }
        if (query.Questions.Count != 1)
        {
            return Encode(query, query.Reply(DnsResponseCode.FormatError) with { Questions = [] }, transport);
        }
        if (resolver.TryAnswer(query) is { } reply)
        {
            return Encode(query, reply, transport);
        }
        if (upstream is not null && await upstream.ForwardAsync(packet, transport, cancellationToken) is { } forwarded)
        {
            return forwarded;
        }
        return Encode(query, query.Reply(DnsResponseCode.ServerFailure), transport);
    }

    private static byte[] Encode(DnsMessage query, DnsMessage reply, DnsTransport transport)
    {
        if (transport == DnsTransport.Tcp)
        {
            return DnsWire.Encode(reply, DnsWire.TcpLimit);
        }
        if (query.Edns is not { } edns)
        {
            return DnsWire.Encode(reply, DnsWire.ClassicUdpLimit);
        }
        // RFC 6891 §6.2.3/§7: an EDNS query gets an OPT back, and the client's size (never below 512) bounds the reply.
        var limit = Math.Clamp((int)edns.Class, DnsWire.ClassicUdpLimit, MaxUdpPayload);
        var opt = new DnsRecord("", DnsType.OPT, MaxUdpPayload, 0, new DnsRawData([]));
        return DnsWire.Encode(reply with { Additional = [.. reply.Additional, opt] }, limit);
    }

    [LoggerMessage(EventId = LogEvents.Addons + 896, Level = LogLevel.Debug, Message = "Malformed DNS query over {Transport}: {Reason}")]
    private partial void LogMalformed(DnsTransport transport, string reason);
}
