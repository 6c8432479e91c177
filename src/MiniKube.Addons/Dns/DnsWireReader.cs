using System.Buffers.Binary;
using System.Text;

namespace MiniKube.Addons.Dns;

/// <summary>Reads one DNS message; every bound is checked, so a hostile packet ends in a <see cref="DnsFormatException"/>, never an index error or a loop.</summary>
internal ref struct DnsWireReader(ReadOnlySpan<byte> packet)
{
    // RFC 1035 §2.3.4.
    private const int MaxLabelLength = 63;
    private const int MaxNameLength = 255;

    private readonly ReadOnlySpan<byte> _packet = packet;
    private int _position;

    public DnsMessage ReadMessage()
    {
        if (_packet.Length < DnsWire.HeaderLength)
        {
            throw new DnsFormatException("shorter than a DNS header");
        }
        var id = ReadUInt16();
        var flags = ReadUInt16();
        int questions = ReadUInt16(), answers = ReadUInt16(), authority = ReadUInt16(), additional = ReadUInt16();
        var message = new DnsMessage
        {
            Id = id,
            IsResponse = (flags & 0x8000) != 0,
            Opcode = (byte)((flags >> 11) & 0xF),
            Authoritative = (flags & 0x0400) != 0,
            Truncated = (flags & 0x0200) != 0,
            RecursionDesired = (flags & 0x0100) != 0,
            RecursionAvailable = (flags & 0x0080) != 0,
            ResponseCode = (DnsResponseCode)(flags & 0xF),
        };
        var questionList = new List<DnsQuestion>(Math.Min(questions, 16));
        for (var i = 0; i < questions; i++)
        {
            var name = ReadName();
            questionList.Add(new DnsQuestion(name, (DnsType)ReadUInt16(), ReadUInt16()));
        }
        return message with
        {
            Questions = questionList,
            Answers = ReadRecords(answers),
            Authority = ReadRecords(authority),
            Additional = ReadRecords(additional),
        };
    }

    private List<DnsRecord> ReadRecords(int count)
    {
        var records = new List<DnsRecord>(Math.Min(count, 16));
        for (var i = 0; i < count; i++)
        {
            records.Add(ReadRecord());
        }
        return records;
    }

    private DnsRecord ReadRecord()
    {
        var name = ReadName();
        var type = (DnsType)ReadUInt16();
        var @class = ReadUInt16();
        var ttl = ReadUInt32();
        int length = ReadUInt16();
        Need(length);
        var end = _position + length;
        DnsRecordData data = type switch
        {
            DnsType.A when length == 4 => new DnsAddressData(new IPAddress(Take(4))),
            DnsType.AAAA when length == 16 => new DnsAddressData(new IPAddress(Take(16))),
            DnsType.A or DnsType.AAAA => throw new DnsFormatException($"{type} record of {length} bytes"),
            DnsType.CNAME or DnsType.PTR or DnsType.NS => new DnsNameData(ReadName()),
            DnsType.SRV => new DnsSrvData(ReadUInt16(), ReadUInt16(), ReadUInt16(), ReadName()),
            DnsType.SOA => new DnsSoaData(ReadName(), ReadName(), ReadUInt32(), ReadUInt32(), ReadUInt32(), ReadUInt32(), ReadUInt32()),
            DnsType.TXT => new DnsTextData(ReadCharacterStrings(end)),
            _ => new DnsRawData(Take(length).ToArray()),
        };
        if (_position != end)
        {
            throw new DnsFormatException($"{type} record data does not fill its {length} bytes");
        }
        return new DnsRecord(name, type, @class, ttl, data);
    }

    private string ReadCharacterStrings(int end)
    {
        var text = new StringBuilder();
        while (_position < end)
        {
            var length = Take(1)[0];
            text.Append(Encoding.Latin1.GetString(Take(length)));
        }
        return text.ToString();
    }

    /// <summary>A possibly compressed name (RFC 1035 §4.1.4); pointers may only point backwards, which rules out loops.</summary>
    private string ReadName()
    {
        var name = new StringBuilder();
        var wireLength = 1;
        var cursor = _position;
        int? resumeAt = null;
        while (true)
        {
            if (cursor >= _packet.Length)
            {
                throw new DnsFormatException("name runs past the end of the packet");
            }
            int length = _packet[cursor];
            switch (length & 0xC0)
            {
                case 0xC0:
                    if (cursor + 1 >= _packet.Length)
                    {
                        throw new DnsFormatException("compression pointer runs past the end of the packet");
                    }
                    var target = ((length & 0x3F) << 8) | _packet[cursor + 1];
                    if (target >= cursor)
                    {
                        throw new DnsFormatException("compression pointer does not point backwards");
                    }
                    resumeAt ??= cursor + 2;
                    cursor = target;
                    continue;
                case 0:
                    break;
                default:
                    throw new DnsFormatException("unsupported label type");
            }
            cursor++;
            if (length == 0)
            {
                break;
            }
            wireLength += length + 1;
            if (length > MaxLabelLength || wireLength > MaxNameLength)
            {
                throw new DnsFormatException("name or label too long");
            }
            if (cursor + length > _packet.Length)
            {
                throw new DnsFormatException("label runs past the end of the packet");
            }
            var label = _packet.Slice(cursor, length);
            // A dot inside a label could not be told apart from a label boundary in our dotted names.
            if (label.Contains((byte)'.'))
            {
                throw new DnsFormatException("label contains a dot");
            }
            if (name.Length > 0)
            {
                name.Append('.');
            }
            name.Append(Encoding.Latin1.GetString(label));
            cursor += length;
        }
        _position = resumeAt ?? cursor;
        return name.ToString();
    }

    private ushort ReadUInt16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));

    private uint ReadUInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

    private ReadOnlySpan<byte> Take(int count)
    {
        Need(count);
        var span = _packet.Slice(_position, count);
        _position += count;
        return span;
    }

    private readonly void Need(int count)
    {
        if (_position + count > _packet.Length)
        {
            throw new DnsFormatException("packet ends early");
        }
    }
}
