using System.Buffers.Binary;
using System.Text;
using ICSharpCode.SharpZipLib;
using ICSharpCode.SharpZipLib.Zip.Compression;

namespace MiniKube.Agent.Kubelet.Spdy;

/// <summary>
/// SPDY/3 header-block compression (draft 3.1 §2.6.10): every header block of a connection is one
/// zlib stream per direction, primed with a fixed dictionary, each block ending on a sync flush.
/// The context must never be reset between frames, and every SYN_STREAM, SYN_REPLY and HEADERS
/// frame must pass through it in order, even one whose headers are ignored.
/// </summary>
internal static class SpdyHeaderDictionary
{
    // The dictionary of the SPDY/3 specification: header names and common values, each preceded
    // by its length as a 32-bit big-endian number, then a run of plain text (1423 bytes, no NUL
    // at the end; moby/spdystream uses the same bytes).
    private static readonly string[] Words =
    [
        "options", "head", "post", "put", "delete", "trace", "accept", "accept-charset", "accept-encoding",
        "accept-language", "accept-ranges", "age", "allow", "authorization", "cache-control", "connection",
        "content-base", "content-encoding", "content-language", "content-length", "content-location", "content-md5",
        "content-range", "content-type", "date", "etag", "expect", "expires", "from", "host", "if-match",
        "if-modified-since", "if-none-match", "if-range", "if-unmodified-since", "last-modified", "location",
        "max-forwards", "pragma", "proxy-authenticate", "proxy-authorization", "range", "referer", "retry-after",
        "server", "te", "trailer", "transfer-encoding", "upgrade", "user-agent", "vary", "via", "warning",
        "www-authenticate", "method", "get", "status", "200 OK", "version", "HTTP/1.1", "url", "public",
        "set-cookie", "keep-alive", "origin",
    ];

    private const string Tail =
        "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505" +
        "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized" +
        "403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable" +
        "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT" +
        "chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain," +
        "text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.";

    public static readonly byte[] Bytes = Build();

    /// <summary>The dictionary's Adler-32, which a zlib header with FDICT names.</summary>
    public static readonly uint Adler32 = Adler(Bytes);

    private static byte[] Build()
    {
        var bytes = new List<byte>();
        Span<byte> length = stackalloc byte[4];
        foreach (var word in Words)
        {
            BinaryPrimitives.WriteUInt32BigEndian(length, (uint)word.Length);
            bytes.AddRange(length.ToArray());
            bytes.AddRange(Encoding.ASCII.GetBytes(word));
        }
        bytes.AddRange(Encoding.ASCII.GetBytes(Tail));
        return [.. bytes];
    }

    private static uint Adler(byte[] data)
    {
        uint a = 1, b = 0;
        foreach (var d in data)
        {
            a = (a + d) % 65521;
            b = (b + a) % 65521;
        }
        return (b << 16) | a;
    }
}

/// <summary>
/// Compresses our header blocks. Decision: deflate's stored blocks only — a valid zlib stream
/// (header with FDICT naming the SPDY dictionary, then per header block one non-final stored
/// block and the empty stored block of a sync flush) that every inflater reads, Go's included. Header blocks here are a few dozen bytes, so compressing them
/// would save next to nothing, and the bytes stay exact and easy to check. One instance per
/// connection direction; not thread-safe (frames are written under the connection's write lock).
/// </summary>
internal sealed class SpdyHeaderCompressor
{
    private bool _started;

    public byte[] Compress(SpdyHeaders headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var block = Encode(headers);
        var output = new MemoryStream(block.Length + 16);
        if (!_started)
        {
            // CMF 0x78: deflate, 32 KiB window. FLG 0x20: FDICT, level 0; (0x78 << 8 | 0x20) % 31 == 0.
            output.WriteByte(0x78);
            output.WriteByte(0x20);
            Span<byte> id = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(id, SpdyHeaderDictionary.Adler32);
            output.Write(id);
            _started = true;
        }
        var offset = 0;
        Span<byte> lengths = stackalloc byte[4];
        do
        {
            var count = Math.Min(block.Length - offset, ushort.MaxValue);
            // BFINAL 0, BTYPE 00 (stored), padded to the byte; then LEN and its complement, little-endian.
            output.WriteByte(0);
            BinaryPrimitives.WriteUInt16LittleEndian(lengths, (ushort)count);
            BinaryPrimitives.WriteUInt16LittleEndian(lengths[2..], (ushort)~count);
            output.Write(lengths);
            output.Write(block, offset, count);
            offset += count;
        }
        while (offset < block.Length);
        // The sync-flush marker, an empty stored block, as Z_SYNC_FLUSH ends each block. Go's
        // inflater hands out a stored block's bytes only once it reads the next block's header,
        // so without it the headers would wait for the next frame's bytes and fail at its end.
        output.Write([0x00, 0x00, 0x00, 0xFF, 0xFF]);
        return output.ToArray();
    }

    /// <summary>The uncompressed header block: a 32-bit count, then each name and value with 32-bit lengths.</summary>
    public static byte[] Encode(SpdyHeaders headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var output = new MemoryStream();
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(number, (uint)headers.Pairs.Count);
        output.Write(number);
        foreach (var (name, value) in headers.Pairs)
        {
            foreach (var text in (ReadOnlySpan<string>)[name, value])
            {
                var bytes = Encoding.UTF8.GetBytes(text);
                BinaryPrimitives.WriteUInt32BigEndian(number, (uint)bytes.Length);
                output.Write(number);
                output.Write(bytes);
            }
        }
        return output.ToArray();
    }
}

/// <summary>
/// Decompresses the peer's header blocks with one zlib context for the whole connection.
/// Context: .NET's ZLibStream cannot be given a preset dictionary, and Go's compressor always
/// uses one. Decision: SharpZipLib's <see cref="Inflater"/>, which can. Header names that are
/// not lower case, a count beyond the block, or damaged zlib data are a protocol error.
/// </summary>
internal sealed class SpdyHeaderDecompressor
{
    private readonly Inflater _inflater = new();
    private readonly byte[] _buffer = new byte[4096];

    /// <exception cref="InvalidDataException">The block cannot be decompressed or parsed.</exception>
    public SpdyHeaders Decompress(ReadOnlySpan<byte> compressed)
    {
        var plain = new MemoryStream();
        try
        {
            _inflater.SetInput(compressed.ToArray());
            while (true)
            {
                var count = _inflater.Inflate(_buffer);
                if (count > 0)
                {
                    plain.Write(_buffer, 0, count);
                    continue;
                }
                if (_inflater.IsNeedingDictionary)
                {
                    _inflater.SetDictionary(SpdyHeaderDictionary.Bytes);
                    continue;
                }
                break;
            }
        }
        catch (SharpZipBaseException e)
        {
            throw new InvalidDataException("SPDY header block is not valid zlib data: " + e.Message, e);
        }
        if (_inflater.RemainingInput > 0)
        {
            throw new InvalidDataException("SPDY header block has data past the end of its zlib stream");
        }
        return Decode(plain.GetBuffer().AsSpan(0, (int)plain.Length));
    }

    public static SpdyHeaders Decode(ReadOnlySpan<byte> block)
    {
        var headers = new SpdyHeaders();
        var count = ReadLength(ref block);
        for (var i = 0; i < count; i++)
        {
            var name = ReadText(ref block);
            if (!string.Equals(name, name.ToLowerInvariant(), StringComparison.Ordinal))
            {
                throw new InvalidDataException($"SPDY header name {name} is not lower case");
            }
            headers.Add(name, ReadText(ref block));
        }
        return headers;
    }

    private static int ReadLength(ref ReadOnlySpan<byte> block)
    {
        if (block.Length < 4)
        {
            throw new InvalidDataException("SPDY header block ends early");
        }
        var length = BinaryPrimitives.ReadUInt32BigEndian(block);
        block = block[4..];
        return length <= int.MaxValue ? (int)length : throw new InvalidDataException("SPDY header length out of range");
    }

    private static string ReadText(ref ReadOnlySpan<byte> block)
    {
        var length = ReadLength(ref block);
        if (block.Length < length)
        {
            throw new InvalidDataException("SPDY header block ends early");
        }
        var text = Encoding.UTF8.GetString(block[..length]);
        block = block[length..];
        return text;
    }
}
