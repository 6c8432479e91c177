using System.Buffers;
using System.IO.Hashing;
using System.Text;

namespace MiniKube.Storage.Mvcc;

/// <summary>What a settled key keeps of its one version: the metadata and where its value was spilled.</summary>
internal readonly record struct ColdVersion(long ModRevision, long CreateRevision, long Version, long Lease, SpillHandle Spilled);

/// <summary>
/// The index's settled keys in a compact form. A key settles when compaction leaves it one
/// version, older than the compaction point, whose value the memory budget spilled: under churn
/// that is mostly Events (written once, kept an hour), which would otherwise each keep a key
/// string, a sorted-set node, a dictionary entry and a version object in the GC heap (about 330
/// bytes); here a key costs its ASCII bytes, a 48-byte entry, an offset and ten bits of filter.
/// <para>
/// The keys live in sorted runs, as in a log-structured merge tree: each compaction adds one run
/// of the keys it settled, and a run is merged into the one before it while it is at least half
/// that one's size, so there are few runs and each key is copied a few times over its life. A key
/// is in at most one run. A write to a settled key takes it out (the index makes it an ordinary
/// key again); its entry stays as a tombstone until its run is merged or rewritten. Each run has a
/// Bloom filter, so a lookup of a key that is not settled (every create) rarely searches a run.
/// </para>
/// <para>
/// Only keys of ASCII characters settle (almost every key: names are DNS labels), so that byte
/// order is the ordinal order of the index's strings. Not thread-safe, like its owner.
/// </para>
/// </summary>
internal sealed class ColdKeys
{
    private const int BloomBitsPerKey = 10;
    private const int BloomProbes = 4;

    // Oldest (and largest) first.
    private readonly List<Run> _runs = [];

    /// <summary>Settled keys (tombstones not counted).</summary>
    public int Count { get; private set; }

    /// <summary>Whether a key may settle: its characters are ASCII.</summary>
    public static bool CanHold(string key) => Ascii.IsValid(key);

    public void Clear()
    {
        _runs.Clear();
        Count = 0;
    }

    public bool TryGet(string key, out ColdVersion version)
    {
        var (run, index) = Find(key);
        version = run is null ? default : run.Versions[index];
        return run is not null;
    }

    /// <summary>Takes a key out (a write made it an ordinary key again) and returns what it kept.</summary>
    public bool Remove(string key, out ColdVersion version)
    {
        var (run, index) = Find(key);
        if (run is null)
        {
            version = default;
            return false;
        }
        version = run.Versions[index];
        run.Versions[index] = default; // a tombstone: version 0
        run.Live--;
        Count--;
        if (run.Live == 0)
        {
            _runs.Remove(run);
        }
        return true;
    }

    /// <summary>
    /// Adds keys that settled, sorted in ordinal order, ASCII, none of them held already; then
    /// merges runs as the tiering above says and rewrites runs that are mostly tombstones.
    /// </summary>
    public void Add(IReadOnlyList<(string Key, ColdVersion Version)> settled)
    {
        if (settled.Count == 0)
        {
            return;
        }
        var builder = new RunBuilder(settled.Count, settled.Sum(s => s.Key.Length));
        foreach (var (key, version) in settled)
        {
            builder.Add(key, version);
        }
        _runs.Add(builder.Build());
        Count += settled.Count;
        for (var i = _runs.Count - 1; i >= 0; i--)
        {
            if (_runs[i].Live * 2 < _runs[i].Versions.Length)
            {
                _runs[i] = Merge([_runs[i]]);
            }
        }
        while (_runs.Count >= 2 && _runs[^1].Live * 2 >= _runs[^2].Live)
        {
            var merged = Merge([_runs[^2], _runs[^1]]);
            _runs.RemoveRange(_runs.Count - 2, 2);
            _runs.Add(merged);
        }
    }

    /// <summary>Settled keys at or after <paramref name="lower"/> that start with <paramref name="prefix"/>, in ordinal order.</summary>
    public IEnumerable<(string Key, ColdVersion Version)> From(string lower, string prefix)
    {
        if (Count == 0 || !Ascii.IsValid(prefix))
        {
            yield break; // no settled key starts with a non-ASCII prefix
        }
        var prefixBytes = Encoding.ASCII.GetBytes(prefix);
        var runs = _runs.ToArray();
        var at = new int[runs.Length];
        for (var r = 0; r < runs.Length; r++)
        {
            at[r] = runs[r].LowerBound(lower);
        }
        while (true)
        {
            var best = NextSmallest(runs, at);
            if (best < 0 || !runs[best].Key(at[best]).StartsWith(prefixBytes))
            {
                yield break; // sorted: once past the prefix, nothing later can match
            }
            var run = runs[best];
            var index = at[best]++;
            yield return (Encoding.ASCII.GetString(run.Key(index)), run.Versions[index]);
        }
    }

    /// <summary>Settled keys attached to <paramref name="lease"/>.</summary>
    public List<string> KeysWithLease(long lease)
    {
        var keys = new List<string>();
        foreach (var run in _runs)
        {
            for (var i = 0; i < run.Versions.Length; i++)
            {
                if (run.Versions[i] is { Version: not 0 } version && version.Lease == lease)
                {
                    keys.Add(Encoding.ASCII.GetString(run.Key(i)));
                }
            }
        }
        return keys;
    }

    private (Run? Run, int Index) Find(string key)
    {
        if (Count == 0 || key.Length > StoreLimits.MaxKeyBytes)
        {
            return (null, -1);
        }
        Span<byte> ascii = stackalloc byte[key.Length];
        if (Ascii.FromUtf16(key, ascii, out _) != OperationStatus.Done)
        {
            return (null, -1);
        }
        var hash = XxHash3.HashToUInt64(ascii);
        foreach (var run in _runs)
        {
            if (run.MayContain(hash) && run.IndexOf(ascii) is var index and >= 0 && run.Versions[index].Version != 0)
            {
                return (run, index);
            }
        }
        return (null, -1);
    }

    /// <summary>One run of the live entries of <paramref name="runs"/>, merged in key order.</summary>
    private static Run Merge(Run[] runs)
    {
        var builder = new RunBuilder(runs.Sum(r => r.Live), runs.Sum(r => r.KeyBytes.Length));
        var at = new int[runs.Length];
        while (true)
        {
            var best = NextSmallest(runs, at);
            if (best < 0)
            {
                return builder.Build();
            }
            builder.Add(runs[best].Key(at[best]), runs[best].Versions[at[best]]);
            at[best]++;
        }
    }

    /// <summary>
    /// The run whose next live entry (at <paramref name="at"/>, tombstones skipped) has the
    /// smallest key, or -1 when every run is done: there are few runs, so a linear pick is cheapest.
    /// </summary>
    private static int NextSmallest(Run[] runs, int[] at)
    {
        var best = -1;
        for (var r = 0; r < runs.Length; r++)
        {
            while (at[r] < runs[r].Versions.Length && runs[r].Versions[at[r]].Version == 0)
            {
                at[r]++;
            }
            if (at[r] < runs[r].Versions.Length && (best < 0 || runs[r].Key(at[r]).SequenceCompareTo(runs[best].Key(at[best])) < 0))
            {
                best = r;
            }
        }
        return best;
    }

    /// <summary>Sorted keys back to back with their versions and a Bloom filter; only its tombstones change.</summary>
    private sealed class Run(byte[] keyBytes, int[] starts, ColdVersion[] versions, ulong[] bloom)
    {
        public byte[] KeyBytes { get; } = keyBytes;

        public ColdVersion[] Versions { get; } = versions;

        public int Live { get; set; } = versions.Length;

        /// <summary>Key <paramref name="index"/>'s bytes (<c>starts</c> has one more entry than there are keys).</summary>
        public ReadOnlySpan<byte> Key(int index) => KeyBytes.AsSpan(starts[index], starts[index + 1] - starts[index]);

        public bool MayContain(ulong hash) => Bloom.MayContain(bloom, hash);

        public int IndexOf(ReadOnlySpan<byte> key)
        {
            int lo = 0, hi = Versions.Length - 1;
            while (lo <= hi)
            {
                var mid = (lo + hi) >>> 1;
                var order = Key(mid).SequenceCompareTo(key);
                if (order == 0)
                {
                    return mid;
                }
                (lo, hi) = order < 0 ? (mid + 1, hi) : (lo, mid - 1);
            }
            return -1;
        }

        /// <summary>The first index whose key is at or after <paramref name="key"/> in ordinal order (which may hold any character).</summary>
        public int LowerBound(string key)
        {
            int lo = 0, hi = Versions.Length;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                (lo, hi) = CompareOrdinal(Key(mid), key) < 0 ? (mid + 1, hi) : (lo, mid);
            }
            return lo;
        }

        private static int CompareOrdinal(ReadOnlySpan<byte> ascii, ReadOnlySpan<char> key)
        {
            var common = Math.Min(ascii.Length, key.Length);
            for (var i = 0; i < common; i++)
            {
                if (ascii[i] != key[i])
                {
                    return ascii[i] - key[i];
                }
            }
            return ascii.Length - key.Length;
        }
    }

    private sealed class RunBuilder(int count, int keyBytes)
    {
        private readonly byte[] _keyBytes = new byte[keyBytes];
        private readonly int[] _starts = new int[count + 1];
        private readonly ColdVersion[] _versions = new ColdVersion[count];
        private readonly ulong[] _bloom = Bloom.Create(count);
        private int _count;

        public void Add(string key, ColdVersion version)
        {
            var written = Encoding.ASCII.GetBytes(key, _keyBytes.AsSpan(_starts[_count]));
            Added(written, version);
        }

        public void Add(ReadOnlySpan<byte> key, ColdVersion version)
        {
            key.CopyTo(_keyBytes.AsSpan(_starts[_count]));
            Added(key.Length, version);
        }

        public Run Build()
        {
            // A merge sizes the key bytes for every key of its runs, tombstones included: trim to what was used.
            var used = _starts[_count];
            var keyBytes = used == _keyBytes.Length ? _keyBytes : _keyBytes.AsSpan(0, used).ToArray();
            return new Run(keyBytes, _starts, _versions, _bloom);
        }

        private void Added(int length, ColdVersion version)
        {
            var start = _starts[_count];
            Bloom.Add(_bloom, XxHash3.HashToUInt64(_keyBytes.AsSpan(start, length)));
            _versions[_count] = version;
            _starts[++_count] = start + length;
        }
    }

    /// <summary>A Bloom filter of <see cref="BloomBitsPerKey"/> bits a key (about 1 % false positives), probed by double hashing.</summary>
    private static class Bloom
    {
        public static ulong[] Create(int keys) => new ulong[Math.Max(1, ((long)keys * BloomBitsPerKey + 63) / 64)];

        public static void Add(ulong[] bits, ulong hash)
        {
            var size = (ulong)bits.Length * 64;
            var (h1, h2) = Split(hash);
            for (ulong i = 0; i < BloomProbes; i++)
            {
                var bit = (h1 + (i * h2)) % size;
                bits[bit / 64] |= 1UL << (int)(bit % 64);
            }
        }

        public static bool MayContain(ulong[] bits, ulong hash)
        {
            var size = (ulong)bits.Length * 64;
            var (h1, h2) = Split(hash);
            for (ulong i = 0; i < BloomProbes; i++)
            {
                var bit = (h1 + (i * h2)) % size;
                if ((bits[bit / 64] & (1UL << (int)(bit % 64))) == 0)
                {
                    return false;
                }
            }
            return true;
        }

        private static (ulong, ulong) Split(ulong hash) => (hash & 0xFFFF_FFFF, (hash >> 32) | 1);
    }
}
