using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace MiniKube.Storage.Embedded;

/// <summary>
/// One entry of the embedded store's write-ahead log: a kind byte, the fields of that kind, and a
/// CRC-32 of both. FasterLog frames each entry, but its scan does not verify the per-entry
/// checksum, so the record carries its own and a damaged entry is never replayed.
/// </summary>
internal abstract record LogRecord
{
    private const byte PutKind = 1;
    private const byte DeleteKind = 2;
    private const byte LeaseGrantKind = 3;
    private const byte LeaseRevokeKind = 4;
    private const byte CompactKind = 5;
    private const byte FragmentKind = 6;
    private const byte AdvanceKind = 7;
    private const byte ReserveKind = 8;

    /// <summary>
    /// The largest log entry written. Larger records (values up to 1.5 MiB) travel as a run of
    /// fragments, so FasterLog pages, and with them the segments that truncation frees, stay small.
    /// </summary>
    public const int MaxEntryBytes = 60 * 1024;

    public sealed record Put(long Revision, string Key, byte[] Value, long Lease) : LogRecord;

    public sealed record Delete(long Revision, string Key) : LogRecord;

    public sealed record LeaseGrant(long Id, long TtlMilliseconds) : LogRecord;

    public sealed record LeaseRevoke(long Id) : LogRecord;

    public sealed record Compact(long Revision) : LogRecord;

    /// <summary>
    /// The revision moves to <see cref="Revision"/> with no change of its own: the revisions it
    /// passes were heartbeats superseded before they reached the log (EmbeddedStore.Heartbeats.cs).
    /// </summary>
    public sealed record Advance(long Revision) : LogRecord;

    /// <summary>
    /// Revisions up to <see cref="Ceiling"/> may have been shown to clients before they were
    /// durable; after a crash the store resumes above it. The last one in the log counts.
    /// </summary>
    public sealed record Reserve(long Ceiling) : LogRecord;

    /// <summary>Piece <see cref="Index"/> of <see cref="Count"/> of one encoded record too large for a single entry.</summary>
    public sealed record Fragment(int Index, int Count, byte[] Bytes) : LogRecord;

    /// <summary>The log entries for this record: itself, or fragments of its encoding.</summary>
    public IEnumerable<byte[]> EncodeEntries()
    {
        var encoded = Encode();
        if (encoded.Length <= MaxEntryBytes)
        {
            yield return encoded;
            yield break;
        }
        const int Piece = MaxEntryBytes - 64; // room for the fragment's own header and CRC
        var count = (encoded.Length + Piece - 1) / Piece;
        for (var i = 0; i < count; i++)
        {
            yield return new Fragment(i, count, encoded[(i * Piece)..Math.Min(encoded.Length, (i + 1) * Piece)]).Encode();
        }
    }

    public byte[] Encode()
    {
        // Sized for the record up front: a stream that doubles from 256 bytes allocated about
        // twice an object's size in copies on every write of it.
        using var buffer = new MemoryStream(this switch
        {
            Put p => p.Value.Length + Encoding.UTF8.GetMaxByteCount(p.Key.Length) + 32,
            Fragment f => f.Bytes.Length + 32,
            _ => 32,
        });
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            switch (this)
            {
                case Put p:
                    w.Write(PutKind);
                    w.Write(p.Revision);
                    w.Write(p.Key);
                    w.Write(p.Lease);
                    w.Write(p.Value.Length);
                    w.Write(p.Value);
                    break;
                case Delete d:
                    w.Write(DeleteKind);
                    w.Write(d.Revision);
                    w.Write(d.Key);
                    break;
                case LeaseGrant g:
                    w.Write(LeaseGrantKind);
                    w.Write(g.Id);
                    w.Write(g.TtlMilliseconds);
                    break;
                case LeaseRevoke or Compact or Advance or Reserve:
                    // The records of one number each.
                    var (kind, number) = this switch
                    {
                        LeaseRevoke r => (LeaseRevokeKind, r.Id),
                        Compact c => (CompactKind, c.Revision),
                        Advance a => (AdvanceKind, a.Revision),
                        _ => (ReserveKind, ((Reserve)this).Ceiling),
                    };
                    w.Write(kind);
                    w.Write(number);
                    break;
                case Fragment f:
                    w.Write(FragmentKind);
                    w.Write(f.Index);
                    w.Write(f.Count);
                    w.Write(f.Bytes.Length);
                    w.Write(f.Bytes);
                    break;
                default:
                    throw new InvalidOperationException("unknown record " + GetType().Name);
            }
        }
        Span<byte> crc = stackalloc byte[sizeof(uint)];
        BinaryPrimitives.WriteUInt32LittleEndian(crc, Crc32.HashToUInt32(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
        buffer.Write(crc);
        return buffer.ToArray();
    }

    /// <summary>Decodes an entry; a malformed one throws <see cref="InvalidDataException"/>.</summary>
    public static LogRecord Decode(byte[] entry, int length)
    {
        if (length < sizeof(uint) + 1)
        {
            throw new InvalidDataException("log record is truncated");
        }
        length -= sizeof(uint);
        if (BinaryPrimitives.ReadUInt32LittleEndian(entry.AsSpan(length)) != Crc32.HashToUInt32(entry.AsSpan(0, length)))
        {
            throw new InvalidDataException("log record checksum mismatch");
        }
        try
        {
            using var r = new BinaryReader(new MemoryStream(entry, 0, length), Encoding.UTF8);
            LogRecord record = r.ReadByte() switch
            {
                PutKind => new Put(r.ReadInt64(), r.ReadString(), Lease: r.ReadInt64(), Value: r.ReadBytes(r.ReadInt32())),
                DeleteKind => new Delete(r.ReadInt64(), r.ReadString()),
                LeaseGrantKind => new LeaseGrant(r.ReadInt64(), r.ReadInt64()),
                LeaseRevokeKind => new LeaseRevoke(r.ReadInt64()),
                CompactKind => new Compact(r.ReadInt64()),
                FragmentKind => new Fragment(r.ReadInt32(), r.ReadInt32(), r.ReadBytes(r.ReadInt32())),
                AdvanceKind => new Advance(r.ReadInt64()),
                ReserveKind => new Reserve(r.ReadInt64()),
                var kind => throw new InvalidDataException($"unknown log record kind {kind}"),
            };
            if (r.BaseStream.Position != length)
            {
                throw new InvalidDataException("log record has trailing bytes");
            }
            return record;
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("log record is truncated", e);
        }
    }
}
