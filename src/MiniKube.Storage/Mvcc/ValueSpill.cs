using System.IO.Hashing;
using Microsoft.Win32.SafeHandles;

namespace MiniKube.Storage.Mvcc;

/// <summary>
/// Where a spilled value lies: its segment, offset and length, and its CRC-32 to catch a damaged
/// read. 16 bytes, held by every spilled version in the index: segments are small enough for an
/// int offset (see <see cref="ValueSpill.MaxSegmentBytes"/>).
/// </summary>
internal readonly record struct SpillHandle(int Segment, int Offset, int Length, uint Crc);

/// <summary>
/// The files that hold values the index evicted from memory (<see cref="MvccState"/>'s memory
/// budget). A cache, not storage: durability stays with the log and checkpoints, so values are
/// appended without fsync and every file is deleted when the store opens or closes. Values are
/// appended to the newest segment; a segment is deleted once every value in it has died
/// (compacted away), unless a reader has pinned deletions while it reads outside the store's lock.
/// Thread-safe: the index spills and releases under its owner's lock, while checkpoints read
/// outside it.
/// </summary>
internal sealed class ValueSpill : IDisposable
{
    private const string FilePrefix = "spill-";

    /// <summary>
    /// The largest segment size: a segment takes one more batch once past its size (a batch is a
    /// few MiB at most: values up to 1.5 MiB), and offsets must stay within an int.
    /// </summary>
    public const long MaxSegmentBytes = 1L << 30;

    private readonly string _directory;
    private readonly long _segmentBytes;
    private readonly Lock _lock = new();
    private readonly Dictionary<int, Segment> _segments = [];
    private readonly List<int> _deferred = [];
    private Segment? _active;
    private int _nextSegment;
    private int _pins;
    private bool _disposed;

    /// <summary>Opens the spill directory, deleting whatever a previous run left in it.</summary>
    public ValueSpill(string directory, long segmentBytes = 64L << 20)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(segmentBytes, 4096);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(segmentBytes, MaxSegmentBytes);
        _directory = directory;
        _segmentBytes = segmentBytes;
        Directory.CreateDirectory(directory);
        foreach (var old in Directory.EnumerateFiles(directory, FilePrefix + "*"))
        {
            File.Delete(old);
        }
    }

    /// <summary>Bytes appended since the store opened: what spilling cost the disk.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Bytes the spill files hold now, dead values in live segments included.</summary>
    public long FileBytes
    {
        get
        {
            lock (_lock)
            {
                return _segments.Values.Sum(s => s.End);
            }
        }
    }

    public int SegmentCount
    {
        get
        {
            lock (_lock)
            {
                return _segments.Count;
            }
        }
    }

    /// <summary>Appends the values with one write and returns where each went.</summary>
    public SpillHandle[] Write(IReadOnlyList<byte[]> values)
    {
        var total = values.Sum(v => (long)v.Length);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_active is null || (_active.End > 0 && _active.End + total > _segmentBytes))
            {
                Roll();
            }
            var segment = _active!;
            var buffer = new byte[total];
            var handles = new SpillHandle[values.Count];
            var at = 0;
            for (var i = 0; i < values.Count; i++)
            {
                values[i].CopyTo(buffer, at);
                handles[i] = new SpillHandle(segment.Id, checked((int)(segment.End + at)), values[i].Length, Crc32.HashToUInt32(values[i]));
                at += values[i].Length;
            }
            RandomAccess.Write(segment.File, buffer, segment.End);
            segment.End += total;
            segment.Live += values.Count;
            BytesWritten += total;
            return handles;
        }
    }

    /// <summary>Reads a spilled value back; a value that fails its checksum is an <see cref="IOException"/>.</summary>
    public byte[] Read(SpillHandle handle)
    {
        var value = new byte[handle.Length];
        Read(handle, value);
        return value;
    }

    /// <summary>
    /// Reads a spilled value back into <paramref name="destination"/> (its first
    /// <see cref="SpillHandle.Length"/> bytes), for a reader that copies values on (a checkpoint) and
    /// need not allocate each; a value that fails its checksum is an <see cref="IOException"/>.
    /// </summary>
    public void Read(SpillHandle handle, Span<byte> destination)
    {
        SafeFileHandle file;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            file = _segments.TryGetValue(handle.Segment, out var segment)
                ? segment.File
                : throw new InvalidOperationException($"spill segment {handle.Segment} is gone: a value was read after it died");
        }
        var value = destination[..handle.Length];
        var read = 0;
        while (read < value.Length)
        {
            var n = RandomAccess.Read(file, value[read..], handle.Offset + read);
            if (n == 0)
            {
                break;
            }
            read += n;
        }
        if (read != value.Length || Crc32.HashToUInt32(value) != handle.Crc)
        {
            throw new IOException($"a spilled value in {SegmentPath(handle.Segment)} at {handle.Offset} is damaged");
        }
    }

    /// <summary>A spilled value died (its version was compacted away); its segment goes when nothing in it lives.</summary>
    public void Release(SpillHandle handle)
    {
        lock (_lock)
        {
            if (_disposed || !_segments.TryGetValue(handle.Segment, out var segment))
            {
                return;
            }
            if (--segment.Live == 0 && segment != _active)
            {
                if (_pins > 0)
                {
                    _deferred.Add(segment.Id);
                }
                else
                {
                    Delete(segment);
                }
            }
        }
    }

    /// <summary>
    /// Keeps every segment on disk until disposed, for a reader that resolves handles outside the
    /// store's lock (a checkpoint): values may die meanwhile, but stay readable.
    /// </summary>
    public IDisposable Pin()
    {
        lock (_lock)
        {
            _pins++;
        }
        return new PinScope(this);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            foreach (var segment in _segments.Values.ToList())
            {
                Delete(segment);
            }
        }
    }

    private void Unpin()
    {
        lock (_lock)
        {
            if (--_pins > 0 || _disposed)
            {
                return;
            }
            foreach (var id in _deferred)
            {
                if (_segments.TryGetValue(id, out var segment) && segment.Live == 0 && segment != _active)
                {
                    Delete(segment);
                }
            }
            _deferred.Clear();
        }
    }

    private void Roll()
    {
        var previous = _active;
        var id = _nextSegment++;
        // Owner-only, as checkpoints: spilled values include Secrets. Unbuffered: writes go
        // straight to the page cache with RandomAccess, at offsets the handles name. No share
        // lock: the data directory's lock already keeps other processes out.
        var file = new FileStream(SegmentPath(id), new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, Share = FileShare.ReadWrite, BufferSize = 0, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite });
        _active = new Segment(id, file);
        _segments[id] = _active;
        if (previous is { Live: 0 })
        {
            Delete(previous); // everything in it died while it was still being filled
        }
    }

    private void Delete(Segment segment)
    {
        segment.Stream.Dispose();
        File.Delete(SegmentPath(segment.Id));
        _segments.Remove(segment.Id);
        if (segment == _active)
        {
            _active = null;
        }
    }

    private string SegmentPath(int id) => Path.Combine(_directory, $"{FilePrefix}{id:D6}");

    private sealed class Segment(int id, FileStream stream)
    {
        public int Id { get; } = id;

        public FileStream Stream { get; } = stream;

        public SafeFileHandle File => Stream.SafeFileHandle;

        public long End { get; set; }

        /// <summary>Values in it not yet released.</summary>
        public int Live { get; set; }
    }

    private sealed class PinScope(ValueSpill spill) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                spill.Unpin();
            }
        }
    }
}
