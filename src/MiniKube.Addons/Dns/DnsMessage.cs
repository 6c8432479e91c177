
namespace MiniKube.Addons.Dns;

/// <summary>Resource record types this server reads or writes (RFC 1035 §3.2.2, RFC 3596, RFC 2782, RFC 6891); any other value passes through as raw data.</summary>
public enum DnsType : ushort
{
    A = 1,
    NS = 2,
    CNAME = 5,
    SOA = 6,
    PTR = 12,
    TXT = 16,
    AAAA = 28,
    SRV = 33,
    OPT = 41,
    ANY = 255,
}

/// <summary>Response codes (RFC 1035 §4.1.1).</summary>
public enum DnsResponseCode : byte
{
    NoError = 0,
    FormatError = 1,
    ServerFailure = 2,
    NameError = 3,
    NotImplemented = 4,
    Refused = 5,
}

/// <summary>One question: a name, a type and a class (1 = IN).</summary>
public sealed record DnsQuestion(string Name, DnsType Type, ushort Class = DnsMessage.ClassInternet);

/// <summary>
/// One resource record. <see cref="Data"/> matches <see cref="Type"/>: an address for A/AAAA, a
/// name for CNAME/PTR/NS, <see cref="DnsSrvData"/>, <see cref="DnsSoaData"/>, text for TXT, raw
/// bytes for anything else (an OPT record's options, say). For OPT, <see cref="Class"/> is the
/// sender's UDP payload size, as RFC 6891 reuses it.
/// </summary>
public sealed record DnsRecord(string Name, DnsType Type, ushort Class, uint Ttl, DnsRecordData Data);

/// <summary>The typed RDATA of a <see cref="DnsRecord"/>.</summary>
public abstract record DnsRecordData;

public sealed record DnsAddressData(IPAddress Address) : DnsRecordData;

/// <summary>A single domain name: CNAME, PTR and NS data.</summary>
public sealed record DnsNameData(string Name) : DnsRecordData;

public sealed record DnsSrvData(ushort Priority, ushort Weight, ushort Port, string Target) : DnsRecordData;

public sealed record DnsSoaData(string PrimaryServer, string Mailbox, uint Serial, uint Refresh, uint Retry, uint Expire, uint Minimum) : DnsRecordData;

public sealed record DnsTextData(string Text) : DnsRecordData;

public sealed record DnsRawData(byte[] Bytes) : DnsRecordData;

/// <summary>
/// A DNS message as RFC 1035 §4.1 lays it out: header flags, then questions, answers, authority
/// and additional records. Names are dotted, without the trailing dot, compared case-insensitively
/// by whoever reads them; the codec keeps their case as sent.
/// </summary>
public sealed record DnsMessage
{
    public const ushort ClassInternet = 1;

    public ushort Id { get; init; }

    public bool IsResponse { get; init; }

    /// <summary>0 is a standard query; others get NotImplemented.</summary>
    public byte Opcode { get; init; }

    public bool Authoritative { get; init; }

    public bool Truncated { get; init; }

    public bool RecursionDesired { get; init; }

    public bool RecursionAvailable { get; init; }

    public DnsResponseCode ResponseCode { get; init; }

    public IReadOnlyList<DnsQuestion> Questions { get; init; } = [];

    public IReadOnlyList<DnsRecord> Answers { get; init; } = [];

    public IReadOnlyList<DnsRecord> Authority { get; init; } = [];

    public IReadOnlyList<DnsRecord> Additional { get; init; } = [];

    /// <summary>The EDNS pseudo-record of the additional section, if the sender included one.</summary>
    public DnsRecord? Edns => Additional.FirstOrDefault(r => r.Type == DnsType.OPT);

    /// <summary>A response to this query with its id, opcode, recursion-desired flag and question echoed.</summary>
    public DnsMessage Reply(DnsResponseCode code) => new()
    {
        Id = Id,
        IsResponse = true,
        Opcode = Opcode,
        RecursionDesired = RecursionDesired,
        RecursionAvailable = true,
        ResponseCode = code,
        Questions = Questions,
    };
}
