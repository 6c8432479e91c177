namespace MiniKube.Storage.Mvcc;

/// <summary>
/// The multi-version state of the store in memory: every key's versions since the compaction
/// point, the event log that watches replay, and the leases. Any backend that keeps its index in
/// memory builds on it. Not thread-safe: its owner serialises writers and guards readers.
/// <para>
/// Writes are applied here before they are durable, so that the next writer's compare-and-swap
/// sees them; readers are kept from seeing them by reading at the owner's durable ("visible")
/// revision, which MVCC makes free.
/// </para>
/// </summary>
internal sealed class MvccState
{
    private readonly SortedSet<string> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<KeyVersion>> _histories = new(StringComparer.Ordinal);
    private readonly List<WatchEvent> _events = [];
    private readonly Dictionary<long, LeaseState> _leases = [];

    /// <summary>The newest revision applied, durable or not.</summary>
    public long Revision { get; private set; }

    /// <summary>Revisions below this are gone.</summary>
    public long CompactRevision { get; private set; }

    /// <summary>
    /// The oldest revision whose event is still held. After a restart from a checkpoint at R the
    /// keys at R are readable but R's own event is not, so watches may start at R + 1 at the earliest.
    /// </summary>
    private long _eventFloor;

    public int KeyCount => _histories.Count;

    public long NextLeaseId { get; private set; } = 1;

    /// <summary>Starts from a checkpoint: live values at <paramref name="revision"/>, nothing older.</summary>
    public void Reset(long revision, IEnumerable<KeyValue> live, IEnumerable<(long Id, TimeSpan Ttl)> leases, long nextLeaseId)
    {
        _keys.Clear();
        _histories.Clear();
        _events.Clear();
        _leases.Clear();
        Revision = revision;
        CompactRevision = revision;
        _eventFloor = revision + 1;
        NextLeaseId = nextLeaseId;
        foreach (var (id, ttl) in leases)
        {
            _leases[id] = new LeaseState(ttl); // clocks restart once recovery ends
        }
        foreach (var kv in live)
        {
            _keys.Add(kv.Key);
            _histories[kv.Key] = [new KeyVersion(kv.ModRevision, kv.CreateRevision, kv.Version, kv.Value, kv.Lease)];
            AttachToLease(kv.Key, kv.Lease);
        }
    }

    /// <summary>The latest version of a key including writes not yet durable, for compare-and-swap.</summary>
    public KeyValue? Latest(string key) =>
        _histories.TryGetValue(key, out var history) && history[^1].Value is not null ? ToKeyValue(key, history[^1]) : null;

    public KeyValue? Get(string key, long revision)
    {
        CheckReadable(revision);
        return _histories.TryGetValue(key, out var history) ? At(key, history, revision) : null;
    }

    /// <summary>Live keys under <paramref name="prefix"/> after <paramref name="startAfter"/>, at <paramref name="revision"/>.</summary>
    public (List<KeyValue> Items, bool More) Range(string prefix, string? startAfter, int limit, long revision)
    {
        CheckReadable(revision);
        var items = new List<KeyValue>();
        foreach (var key in KeysFrom(prefix, startAfter))
        {
            if (At(key, _histories[key], revision) is not { } kv)
            {
                continue;
            }
            if (limit > 0 && items.Count == limit)
            {
                return (items, true);
            }
            items.Add(kv);
        }
        return (items, false);
    }

    /// <summary>
    /// Visits at most <paramref name="visit"/> keys after <paramref name="startAfter"/>, deleted or
    /// not, and returns the values live at <paramref name="revision"/> among them and the last key
    /// visited (null once every key was). A bounded step for a reader that walks the whole index in
    /// short holds of its owner's lock: deleted keys between live ones cost steps, never one long hold.
    /// </summary>
    public (List<KeyValue> Items, string? Last) Scan(string? startAfter, int visit, long revision)
    {
        CheckReadable(revision);
        var items = new List<KeyValue>();
        string? last = null;
        var visited = 0;
        foreach (var key in KeysFrom("", startAfter))
        {
            if (visited++ == visit)
            {
                return (items, last);
            }
            last = key;
            if (At(key, _histories[key], revision) is { } kv)
            {
                items.Add(kv);
            }
        }
        return (items, null);
    }

    public long Count(string prefix, long revision)
    {
        long count = 0;
        foreach (var key in KeysFrom(prefix, null))
        {
            if (At(key, _histories[key], revision) is not null)
            {
                count++;
            }
        }
        return count;
    }

    public IEnumerable<(long Id, TimeSpan Ttl)> Leases => _leases.Select(l => (l.Key, l.Value.Ttl));

    public WatchEvent Put(string key, byte[] value, long lease)
    {
        var previous = Latest(key);
        var revision = Revision + 1;
        var version = new KeyVersion(revision, previous?.CreateRevision ?? revision, (previous?.Version ?? 0) + 1, value, lease);
        if (previous is not null && previous.Lease != lease)
        {
            DetachFromLease(key, previous.Lease);
        }
        AttachToLease(key, lease);
        Append(key, version);
        var ev = new WatchEvent(WatchEventType.Put, ToKeyValue(key, version), previous);
        _events.Add(ev);
        return ev;
    }

    /// <summary>
    /// Moves the revision forward over revisions that hold no change: heartbeats the log coalesced
    /// away, or revisions reserved before a crash and never used.
    /// </summary>
    public void SkipTo(long revision) => Revision = Math.Max(Revision, revision);

    public WatchEvent Delete(string key)
    {
        var previous = Latest(key) ?? throw new InvalidOperationException($"delete of absent key {key}");
        var revision = Revision + 1;
        DetachFromLease(key, previous.Lease);
        Append(key, new KeyVersion(revision, 0, 0, null, 0));
        var ev = new WatchEvent(WatchEventType.Delete, new KeyValue(key, [], 0, revision, 0, 0), previous);
        _events.Add(ev);
        return ev;
    }

    /// <summary>Events with revision in [<paramref name="from"/>, <paramref name="to"/>].</summary>
    public List<WatchEvent> Events(long from, long to)
    {
        var floor = Math.Max(CompactRevision, _eventFloor);
        if (from < floor)
        {
            throw new CompactedException(from, floor);
        }
        var start = FirstEventIndexAtOrAfter(from);
        var result = new List<WatchEvent>();
        for (var i = start; i < _events.Count && _events[i].Revision <= to; i++)
        {
            result.Add(_events[i]);
        }
        return result;
    }

    /// <summary>
    /// Forgets history below <paramref name="revision"/>: every version superseded at or before it,
    /// keys whose latest version by then is a delete, and older events.
    /// </summary>
    public void Compact(long revision)
    {
        if (revision <= CompactRevision)
        {
            return;
        }
        revision = Math.Min(revision, Revision);
        var emptied = new List<string>();
        foreach (var (key, history) in _histories)
        {
            // Keep the version current at `revision` (unless it is a delete) and everything after.
            var keepFrom = history.FindLastIndex(v => v.ModRevision <= revision);
            if (keepFrom < 0)
            {
                continue;
            }
            if (history[keepFrom].Value is null)
            {
                keepFrom++;
            }
            history.RemoveRange(0, keepFrom);
            if (history.Count == 0)
            {
                emptied.Add(key);
            }
        }
        foreach (var key in emptied)
        {
            _histories.Remove(key);
            _keys.Remove(key);
        }
        _events.RemoveRange(0, FirstEventIndexAtOrAfter(revision));
        CompactRevision = revision;
    }

    /// <summary>Grants a lease (a new id unless <paramref name="id"/> is given, as on replay) running until <paramref name="deadline"/>.</summary>
    public long GrantLease(TimeSpan ttl, DateTimeOffset deadline, long id = 0)
    {
        id = id == 0 ? NextLeaseId : id;
        NextLeaseId = Math.Max(NextLeaseId, id + 1);
        _leases[id] = new LeaseState(ttl) { Deadline = deadline };
        return id;
    }

    /// <summary>Restarts every lease's clock, as etcd does when a new leader takes over: a restart never expires leases early.</summary>
    public void RestartLeaseClocks(DateTimeOffset now)
    {
        foreach (var lease in _leases.Values)
        {
            lease.Deadline = now + lease.Ttl;
        }
    }

    public List<long> ExpiredLeases(DateTimeOffset now) => [.. _leases.Where(l => l.Value.Deadline <= now).Select(l => l.Key)];

    public bool HasLease(long id) => _leases.ContainsKey(id);

    public TimeSpan LeaseTtl(long id) => _leases[id].Ttl;

    /// <summary>Removes a lease and returns the keys that were attached to it, which the caller deletes.</summary>
    public IReadOnlyCollection<string> RevokeLease(long id)
    {
        if (!_leases.Remove(id, out var lease))
        {
            return [];
        }
        return lease.Keys;
    }

    private void CheckReadable(long revision)
    {
        if (revision < CompactRevision)
        {
            throw new CompactedException(revision, CompactRevision);
        }
    }

    private IEnumerable<string> KeysFrom(string prefix, string? startAfter)
    {
        var lower = startAfter is not null && string.CompareOrdinal(startAfter, prefix) > 0 ? startAfter : prefix;
        if (_keys.Count == 0 || string.CompareOrdinal(lower, _keys.Max) > 0)
        {
            yield break;
        }
        foreach (var key in _keys.GetViewBetween(lower, _keys.Max!))
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
            {
                yield break; // sorted: once past the prefix, nothing later can match
            }
            if (key != startAfter)
            {
                yield return key;
            }
        }
    }

    private void Append(string key, KeyVersion version)
    {
        if (!_histories.TryGetValue(key, out var history))
        {
            _histories[key] = history = [];
            _keys.Add(key);
        }
        history.Add(version);
        Revision = version.ModRevision;
    }

    private void AttachToLease(string key, long lease)
    {
        if (lease != 0 && _leases.TryGetValue(lease, out var state))
        {
            state.Keys.Add(key);
        }
    }

    private void DetachFromLease(string key, long lease)
    {
        if (lease != 0 && _leases.TryGetValue(lease, out var state))
        {
            state.Keys.Remove(key);
        }
    }

    private int FirstEventIndexAtOrAfter(long revision)
    {
        int lo = 0, hi = _events.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_events[mid].Revision < revision)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    private static KeyValue? At(string key, List<KeyVersion> history, long revision)
    {
        for (var i = history.Count - 1; i >= 0; i--)
        {
            if (history[i].ModRevision <= revision)
            {
                return history[i].Value is null ? null : ToKeyValue(key, history[i]);
            }
        }
        return null;
    }

    private static KeyValue ToKeyValue(string key, KeyVersion v) => new(key, v.Value ?? [], v.CreateRevision, v.ModRevision, v.Version, v.Lease);

    /// <summary>One version of a key; a null value marks a delete.</summary>
    private sealed record KeyVersion(long ModRevision, long CreateRevision, long Version, byte[]? Value, long Lease);

    private sealed class LeaseState(TimeSpan ttl)
    {
        public TimeSpan Ttl { get; } = ttl;

        public DateTimeOffset Deadline { get; set; }

        public HashSet<string> Keys { get; } = new(StringComparer.Ordinal);
    }
}
