using System.Security.Cryptography;
using System.Text;

namespace MiniKube.Storage.Embedded;

/// <summary>
/// A checkpoint: every live key and lease at one revision, plus the log address where replay
/// resumes. Written to a temp file, fsynced, renamed into place and the directory fsynced, so a
/// crash leaves either the old checkpoint or the new one, never half of one. A SHA-256 trailer
/// catches a damaged file. The same format is the backup file of <c>mkube snapshot save</c>.
/// </summary>
internal sealed record Checkpoint(long Revision, long LogAddress, long NextLeaseId, IReadOnlyList<(long Id, TimeSpan Ttl)> Leases, IReadOnlyList<KeyValue> Keys)
{
    private static readonly byte[] Magic = "MKCKPT01"u8.ToArray();

    public const string FilePrefix = "checkpoint-";

    /// <summary>The file name of the checkpoint at <paramref name="revision"/>; names sort by revision.</summary>
    public static string FileName(long revision) => $"{FilePrefix}{revision:D20}";

    /// <summary>
    /// The newest intact checkpoint in <paramref name="directory"/> and its path, or null when
    /// there is none. Temp files of a checkpoint a crash interrupted are removed, never read.
    /// </summary>
    public static (Checkpoint Checkpoint, string Path)? LoadLatest(string directory, Action<string> reportDamaged)
    {
        foreach (var temp in Directory.EnumerateFiles(directory, FilePrefix + "*.tmp"))
        {
            File.Delete(temp);
        }
        var complete = Directory.EnumerateFiles(directory, FilePrefix + "*")
            .Where(p => Path.GetFileName(p).Length == FilePrefix.Length + 20)
            .Order(StringComparer.Ordinal)
            .Reverse();
        foreach (var path in complete)
        {
            try
            {
                return (Read(path), path);
            }
            catch (InvalidDataException e)
            {
                reportDamaged($"{path}: {e.Message}");
            }
        }
        return null;
    }

    /// <summary>The revision in the header of the file at <paramref name="path"/>, or null when it is not a checkpoint.</summary>
    public static long? PeekRevision(string path)
    {
        using var file = File.OpenRead(path);
        Span<byte> header = stackalloc byte[Magic.Length + sizeof(long)];
        return file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) == header.Length && header[..Magic.Length].SequenceEqual(Magic)
            ? System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(header[Magic.Length..])
            : null;
    }

    public static Checkpoint Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < Magic.Length + 32 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new InvalidDataException("not an mkube checkpoint");
        }
        var body = bytes.AsSpan(0, bytes.Length - 32);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - 32)))
        {
            throw new InvalidDataException("checksum mismatch: the file is damaged");
        }
        using var r = new BinaryReader(new MemoryStream(bytes, Magic.Length, body.Length - Magic.Length), Encoding.UTF8);
        var revision = r.ReadInt64();
        var logAddress = r.ReadInt64();
        var nextLeaseId = r.ReadInt64();
        var leases = new List<(long, TimeSpan)>();
        for (var n = r.ReadInt32(); n > 0; n--)
        {
            leases.Add((r.ReadInt64(), TimeSpan.FromMilliseconds(r.ReadInt64())));
        }
        var keys = new List<KeyValue>();
        for (var n = r.ReadInt32(); n > 0; n--)
        {
            var key = r.ReadString();
            var createRevision = r.ReadInt64();
            var modRevision = r.ReadInt64();
            var version = r.ReadInt64();
            var lease = r.ReadInt64();
            var value = r.ReadBytes(r.ReadInt32());
            keys.Add(new KeyValue(key, value, createRevision, modRevision, version, lease));
        }
        return new Checkpoint(revision, logAddress, nextLeaseId, leases, keys);
    }

    /// <summary>Writes the checkpoint, its keys all in memory, atomically and durably to <paramref name="path"/>.</summary>
    public void Write(string path) =>
        Write(path, new Header(Revision, LogAddress, NextLeaseId, Leases), Keys.Count, keys =>
        {
            foreach (var kv in Keys)
            {
                keys.Write(kv.Key, kv.CreateRevision, kv.ModRevision, kv.Version, kv.Lease, kv.Value);
            }
        });

    /// <summary>
    /// Writes a checkpoint atomically and durably to <paramref name="path"/>, to disk as it goes
    /// (<see cref="ChunkedFileWriter"/>), at the pace of <paramref name="pacer"/> when one is given.
    /// Its keys come from <paramref name="writeKeys"/> as it produces them (a running store's, read
    /// a step at a time), so no list of them is ever held; it must write exactly
    /// <paramref name="keyCount"/>, which the file names before the keys. Should anything fail,
    /// the temp file is removed and nothing is renamed into place.
    /// </summary>
    public static void Write(string path, Header header, int keyCount, Action<KeyWriter> writeKeys, Pacer? pacer = null)
    {
        var temp = path + ".tmp";
        // Owner-only: a checkpoint (and a snapshot, the same format) holds every Secret. Unbuffered:
        // the writer hands the file whole chunks.
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite };
        try
        {
            using var file = new FileStream(temp, options);
            using var w = new ChunkedFileWriter(file, pacer);
            w.WriteBytes(Magic);
            w.WriteInt64(header.Revision);
            w.WriteInt64(header.LogAddress);
            w.WriteInt64(header.NextLeaseId);
            w.WriteInt32(header.Leases.Count);
            foreach (var (id, ttl) in header.Leases)
            {
                w.WriteInt64(id);
                w.WriteInt64((long)ttl.TotalMilliseconds);
            }
            w.WriteInt32(keyCount);
            var keys = new KeyWriter(w);
            writeKeys(keys);
            if (keys.Count != keyCount)
            {
                throw new InvalidOperationException($"a checkpoint named {keyCount} keys but was given {keys.Count}");
            }
            w.Complete();
        }
        catch
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
            throw;
        }
        File.Move(temp, path, overwrite: true);
        DurableFiles.SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>What a checkpoint file holds before its keys.</summary>
    public sealed record Header(long Revision, long LogAddress, long NextLeaseId, IReadOnlyList<(long Id, TimeSpan Ttl)> Leases);

    /// <summary>Encodes a checkpoint's keys one at a time, in the format <see cref="Read"/> reads, and counts them.</summary>
    public sealed class KeyWriter(ChunkedFileWriter writer)
    {
        public int Count { get; private set; }

        public void Write(string key, long createRevision, long modRevision, long version, long lease, ReadOnlySpan<byte> value)
        {
            writer.WriteString(key);
            writer.WriteInt64(createRevision);
            writer.WriteInt64(modRevision);
            writer.WriteInt64(version);
            writer.WriteInt64(lease);
            writer.WriteInt32(value.Length);
            writer.WriteBytes(value);
            Count++;
        }
    }
}
