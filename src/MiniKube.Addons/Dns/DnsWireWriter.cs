using System.Buffers.Binary;
using System.Text;

namespace MiniKube.Addons.Dns;

/// <summary>Writes one DNS message, compressing every name against the names written before it (RFC 1035 §4.1.4).</summary>
internal sealed class DnsWireWriter
{
    // A pointer has 14 bits of offset.
    private const int MaxPointerOffset = 0x3FFF;

    private readonly Dictionary<string, int> _suffixes = new(StringComparer.OrdinalIgnoreCase);
    private byte[] _buffer = new byte[512];
    private int _length;

    public byte[] Write(DnsMessage message)
    {
        WriteUInt16(message.Id);
        var flags = (message.IsResponse ? 0x8000 : 0) | ((message.Opcode & 0xF) << 11) | (message.Authoritative ? 0x0400 : 0)
            | (message.Truncated ? 0x0200 : 0) | (message.RecursionDesired ? 0x0100 : 0) | (message.RecursionAvailable ? 0x0080 : 0)
            | ((int)message.ResponseCode & 0xF);
        WriteUInt16((ushort)flags);
        WriteUInt16(Count(message.Questions.Count));
        WriteUInt16(Count(message.Answers.Count));
        WriteUInt16(Count(message.Authority.Count));
        WriteUInt16(Count(message.Additional.Count));
        foreach (var question in message.Questions)
        {
            WriteName(question.Name);
            WriteUInt16((ushort)question.Type);
            WriteUInt16(question.Class);
        }
        foreach (var record in message.Answers.Concat(message.Authority).Concat(message.Additional))
        {
            WriteRecord(record);
        }
        return _buffer.AsSpan(0, _length).ToArray();
    }

    private void WriteRecord(DnsRecord record)
    {
        WriteName(record.Name);
        WriteUInt16((ushort)record.Type);
        WriteUInt16(record.Class);
        WriteUInt32(record.Ttl);
        var lengthAt = _length;
        WriteUInt16(0);
        switch (record.Data)
        {
            case DnsAddressData address:
                Write(address.Address.GetAddressBytes());
                break;
            case DnsNameData name:
                WriteName(name.Name);
                break;
            case DnsSrvData srv:
                WriteUInt16(srv.Priority);
                WriteUInt16(srv.Weight);
                WriteUInt16(srv.Port);
                WriteName(srv.Target);
                break;
            case DnsSoaData soa:
                WriteName(soa.PrimaryServer);
                WriteName(soa.Mailbox);
                WriteUInt32(soa.Serial);
                WriteUInt32(soa.Refresh);
                WriteUInt32(soa.Retry);
                WriteUInt32(soa.Expire);
                WriteUInt32(soa.Minimum);
                break;
            case DnsTextData text:
                WriteCharacterStrings(text.Text);
                break;
            case DnsRawData raw:
                Write(raw.Bytes);
                break;
            default:
                throw new ArgumentException($"unknown record data {record.Data.GetType().Name}", nameof(record));
        }
        var dataLength = _length - lengthAt - 2;
        if (dataLength > ushort.MaxValue)
        {
            throw new ArgumentException("record data longer than 65535 bytes", nameof(record));
        }
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(lengthAt), (ushort)dataLength);
    }

    private void WriteCharacterStrings(string text)
    {
        // TXT data is a run of strings of at most 255 bytes each; empty text is one empty string.
        var bytes = Encoding.Latin1.GetBytes(text);
        var offset = 0;
        do
        {
            var chunk = bytes.AsSpan(offset, Math.Min(byte.MaxValue, bytes.Length - offset));
            Write([(byte)chunk.Length]);
            Write(chunk);
            offset += chunk.Length;
        }
        while (offset < bytes.Length);
    }

    private void WriteName(string name)
    {
        var labels = name.TrimEnd('.') is { Length: > 0 } trimmed ? trimmed.Split('.') : [];
        for (var i = 0; i < labels.Length; i++)
        {
            var suffix = string.Join('.', labels.AsSpan(i));
            if (_suffixes.TryGetValue(suffix, out var offset))
            {
                WriteUInt16((ushort)(0xC000 | offset));
                return;
            }
            if (_length <= MaxPointerOffset)
            {
                _suffixes[suffix] = _length;
            }
            var label = Encoding.Latin1.GetBytes(labels[i]);
            if (label.Length is 0 or > 63)
            {
                throw new ArgumentException($"name \"{name}\" has an empty or overlong label", nameof(name));
            }
            Write([(byte)label.Length]);
            Write(label);
        }
        Write([0]);
    }

    private static ushort Count(int count) =>
        count <= ushort.MaxValue ? (ushort)count : throw new ArgumentException("more than 65535 entries in a section", nameof(count));

    private void WriteUInt16(ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        Write(bytes);
    }

    private void WriteUInt32(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        Write(bytes);
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        if (_length + bytes.Length > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + bytes.Length));
        }
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }
}
