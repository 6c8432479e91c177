namespace MiniKube.Storage.Mvcc;

/// <summary>
/// The multi-version state of the store in memory: every key's versions since the compaction
/// point, the event log that watches replay, and the leases. Any backend that keeps its index in
/// memory builds on it. Not thread-safe: its owner serialises writers and guards readers.
/// <para>
/// Lean by design, because under churn it holds hundreds of thousands of versions (an hour of
/// Events, minutes of pod history): each key maps to its newest version, each version links to
/// the one before it, and the event log is the versions themselves in revision order (an event's
/// previous value is the version it links to, unless that one is a delete). So a key written
/// once costs one version object and no per-key list, and an event costs one reference. Keys
/// that settled (one version, before the compaction point, value spilled: mostly Events) move
/// to <see cref="ColdKeys"/>, about a third of the memory; a write makes such a key ordinary again.
/// </para>
/// <para>
/// Writes are applied here before they are durable, so that the next writer's compare-and-swap
/// sees them; readers are kept from seeing them by reading at the owner's durable ("visible")
/// revision, which MVCC makes free.
/// </para>
/// </summary>
internal sealed class MvccState
{
    private readonly SortedSet<string> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, KeyVersion> _newest = new(StringComparer.Ordinal);
    private readonly ColdKeys _cold = new();
    private readonly List<KeyVersion> _events = [];
    private readonly Dictionary<long, LeaseState> _leases = [];

    // The memory budget (see LimitMemory): null spill means every value stays in memory.
    private ValueSpill? _spill;
    private long _budget;
    private string _evictFirstPrefix = "";
    private Queue<KeyVersion> _superseded = new();
    private Queue<KeyVersion> _evictFirst = new();
    private Queue<KeyVersion> _current = new();

    // Keys live at Revision (KeyCount also counts deleted keys until compaction): see LiveCount.
    private int _liveKeys;

    /// <summary>The newest revision applied, durable or not.</summary>
    public long Revision { get; private set; }

    /// <summary>Revisions below this are gone.</summary>
    public long CompactRevision { get; private set; }

    /// <summary>
    /// The oldest revision whose event is still held. After a restart from a checkpoint at R the
    /// keys at R are readable but R's own event is not, so watches may start at R + 1 at the earliest.
    /// </summary>
    private long _eventFloor;

    public int KeyCount => _newest.Count + _cold.Count;

    /// <summary>Keys that settled in the compact form (<see cref="ColdKeys"/>).</summary>
    public int SettledKeyCount => _cold.Count;

    public long NextLeaseId { get; private set; } = 1;

    /// <summary>Bytes of values held in memory (history included), which the budget bounds.</summary>
    public long ResidentBytes { get; private set; }

    /// <summary>Why spilling stopped (the spill files could not be written), or null while it works.</summary>
    public Exception? SpillFailure { get; private set; }

    /// <summary>
    /// Keeps at most <paramref name="budget"/> bytes of values in memory; beyond it values move to
    /// <paramref name="spill"/>, oldest first, in this order: superseded history versions, then
    /// values under <paramref name="evictFirstPrefix"/> (Events, read rarely and kept an hour),
    /// then any other value. Current values of other keys thus stay plain arrays in memory unless
    /// the budget cannot hold even them. Eviction is lazy: a value that dies (is compacted away)
    /// before the budget needs its room is never written.
    /// </summary>
    public void LimitMemory(long budget, ValueSpill spill, string evictFirstPrefix)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(budget);
        _budget = budget;
        _spill = spill;
        _evictFirstPrefix = evictFirstPrefix;
    }

    /// <summary>Starts from a checkpoint: live values at <paramref name="revision"/>, nothing older.</summary>
    public void Reset(long revision, IEnumerable<KeyValue> live, IEnumerable<(long Id, TimeSpan Ttl)> leases, long nextLeaseId)
    {
        _keys.Clear();
        _newest.Clear();
        _cold.Clear();
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
        ResidentBytes = 0;
        _superseded.Clear();
        _evictFirst.Clear();
        _current.Clear();
        _liveKeys = 0;
        foreach (var kv in live)
        {
            _liveKeys++;
            var version = new KeyVersion(kv.Key, kv.ModRevision, kv.CreateRevision, kv.Version, kv.Lease, null) { Value = kv.Value };
            _keys.Add(kv.Key);
            _newest[kv.Key] = version;
            AddResident(kv.Key, version);
        }
        EvictOverBudget();
    }

    /// <summary>The latest version of a key including writes not yet durable, for compare-and-swap.</summary>
    public KeyValue? Latest(string key) => Newest(key) is { IsDelete: false } latest ? ToKeyValue(latest) : null;

    public KeyValue? Get(string key, long revision)
    {
        CheckReadable(revision);
        return Newest(key) is { } newest && VersionAt(newest, revision) is { IsDelete: false } version ? ToKeyValue(version) : null;
    }

    /// <summary>Live keys under <paramref name="prefix"/> after <paramref name="startAfter"/>, at <paramref name="revision"/>.</summary>
    public (List<KeyValue> Items, bool More) Range(string prefix, string? startAfter, int limit, long revision)
    {
        CheckReadable(revision);
        var items = new List<KeyValue>();
        foreach (var (_, newest) in KeysFrom(prefix, startAfter))
        {
            if (VersionAt(newest, revision) is not { IsDelete: false } version)
            {
                continue;
            }
            if (limit > 0 && items.Count == limit)
            {
                return (items, true); // the next key's value is not needed, only that it exists
            }
            items.Add(ToKeyValue(version));
        }
        return (items, false);
    }

    /// <summary>
    /// Visits at most <paramref name="visit"/> keys after <paramref name="startAfter"/>, deleted or
    /// not, adds those live at <paramref name="revision"/> to <paramref name="live"/> and returns
    /// the last key visited (null once every key was). A bounded step for a reader that walks the
    /// whole index in short holds of its owner's lock: deleted keys between live ones cost steps,
    /// never one long hold, and the step allocates nothing per key (see <see cref="LiveEntry"/>).
    /// </summary>
    public string? Scan(string? startAfter, int visit, long revision, List<LiveEntry> live)
    {
        CheckReadable(revision);
        string? last = null;
        var visited = 0;
        foreach (var (key, newest) in KeysFrom("", startAfter))
        {
            if (visited++ == visit)
            {
                return last;
            }
            last = key;
            if (VersionAt(newest, revision) is { IsDelete: false } version)
            {
                live.Add(new LiveEntry(version.Key, version.CreateRevision, version.ModRevision, version.Version, version.Lease, version.Value, version.Value is null ? version.Spilled : default));
            }
        }
        return null;
    }

    /// <summary>
    /// How many keys were live at <paramref name="revision"/>, from the live count now and the
    /// events since (few: a reader asks for a recent revision), without a walk of the index: a
    /// checkpoint names its key count before the keys it then reads in <see cref="Scan"/> steps.
    /// </summary>
    public int LiveCount(long revision)
    {
        CheckReadable(revision);
        var count = _liveKeys;
        for (var i = _events.Count - 1; i >= 0 && _events[i].ModRevision > revision; i--)
        {
            // Undo the event: a delete took a key away, a put whose key was absent (no older
            // version, or a delete; compaction cuts a chain only there) added one.
            var version = _events[i];
            count += version.IsDelete ? 1 : version.Older is null or { IsDelete: true } ? -1 : 0;
        }
        return count;
    }

    public long Count(string prefix, long revision)
    {
        long count = 0;
        foreach (var (_, newest) in KeysFrom(prefix, null))
        {
            if (VersionAt(newest, revision) is { IsDelete: false })
            {
                count++;
            }
        }
        return count;
    }

    /// <summary>
    /// Every live key at <paramref name="revision"/> with its value (spilled ones read back) in one
    /// hold of the owner's lock, as <see cref="Scan"/> takes them (tests and small stores); the
    /// store's checkpoints and snapshots walk the index in <see cref="Scan"/> steps instead.
    /// </summary>
    public List<KeyValue> Live(long revision)
    {
        var live = new List<LiveEntry>();
        Scan(null, int.MaxValue, revision, live);
        return live.ConvertAll(e => new KeyValue(e.Key, e.Value ?? _spill!.Read(e.Spilled), e.CreateRevision, e.ModRevision, e.Version, e.Lease));
    }

    public IEnumerable<(long Id, TimeSpan Ttl)> Leases => _leases.Select(l => (l.Key, l.Value.Ttl));

    /// <summary>Writes a new version of <paramref name="key"/> at the next revision and returns it.</summary>
    public KeyValue Put(string key, byte[] value, long lease)
    {
        var newest = HotNewest(key);
        var previous = newest is { IsDelete: false } ? newest : null;
        var revision = Revision + 1;
        var version = new KeyVersion(key, revision, previous?.CreateRevision ?? revision, (previous?.Version ?? 0) + 1, lease, newest) { Value = value };
        _liveKeys += previous is null ? 1 : 0;
        Append(version);
        Supersede(previous);
        AddResident(key, version);
        EvictOverBudget();
        return new KeyValue(key, value, version.CreateRevision, revision, version.Version, lease);
    }

    /// <summary>
    /// Moves the revision forward over revisions that hold no change: heartbeats the log coalesced
    /// away, or revisions reserved before a crash and never used.
    /// </summary>
    public void SkipTo(long revision) => Revision = Math.Max(Revision, revision);

    /// <summary>Deletes <paramref name="key"/> at the next revision, which it returns.</summary>
    public long Delete(string key)
    {
        var previous = HotNewest(key) is { IsDelete: false } latest ? latest : throw new InvalidOperationException($"delete of absent key {key}");
        var revision = Revision + 1;
        Append(new KeyVersion(key, revision, 0, 0, 0, previous));
        _liveKeys--;
        Supersede(previous);
        return revision;
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
        for (var i = start; i < _events.Count && _events[i].ModRevision <= to; i++)
        {
            var version = _events[i];
            var kv = version.IsDelete ? new KeyValue(version.Key, [], 0, version.ModRevision, 0, 0) : ToKeyValue(version);
            var previous = version.Older is { IsDelete: false } older ? ToKeyValue(older) : null;
            result.Add(new WatchEvent(version.IsDelete ? WatchEventType.Delete : WatchEventType.Put, kv, previous));
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
        var settled = new List<(string Key, ColdVersion Version)>();
        foreach (var (key, newest) in _newest)
        {
            // Keep the version current at `revision` (unless it is a delete) and everything after;
            // also the one before a version written at exactly `revision`: it is the previous
            // value of that revision's event, which a watch from `revision` still replays.
            KeyVersion? newer = null;
            var oldest = newest;
            while (oldest is not null && oldest.ModRevision > revision)
            {
                (newer, oldest) = (oldest, oldest.Older);
            }
            if (oldest is null)
            {
                continue; // every version is newer than `revision`
            }
            if (oldest.ModRevision == revision && oldest.Older is not null)
            {
                (newer, oldest) = (oldest, oldest.Older);
            }
            var keep = oldest.IsDelete ? newer : oldest; // a delete current at `revision` goes too
            for (var gone = keep is null ? newest : keep.Older; gone is not null; gone = gone.Older)
            {
                Forget(gone);
            }
            if (keep is null)
            {
                emptied.Add(key);
                continue;
            }
            keep.Older = null;
            // A key left one version that no event names any more, whose value is on disk, settles.
            if (keep == newest && keep is { IsDelete: false, Value: null } && keep.ModRevision < revision && ColdKeys.CanHold(key))
            {
                settled.Add((key, new ColdVersion(keep.ModRevision, keep.CreateRevision, keep.Version, keep.Lease, keep.Spilled)));
                emptied.Add(key);
            }
        }
        foreach (var key in emptied)
        {
            _newest.Remove(key);
            _keys.Remove(key);
        }
        settled.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        _cold.Add(settled);
        _events.RemoveRange(0, FirstEventIndexAtOrAfter(revision));
        CompactRevision = revision;
        // The queues still name what died or was spilled since; drop those so they hold no garbage.
        _superseded = new Queue<KeyVersion>(_superseded.Where(v => v.Value is not null));
        _evictFirst = new Queue<KeyVersion>(_evictFirst.Where(v => v.Value is not null));
        _current = new Queue<KeyVersion>(_current.Where(v => v.Value is not null));
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

    /// <summary>Removes a lease whose keys are deleted by records of their own (replay).</summary>
    public void ForgetLease(long id) => _leases.Remove(id);

    /// <summary>
    /// Removes a lease and returns the live keys attached to it, which the caller deletes. Found by
    /// a walk of the index rather than kept per lease: a lease holds an hour of Events, and a set of
    /// their keys cost more memory than the walk costs time once a minute.
    /// </summary>
    public IReadOnlyCollection<string> RevokeLease(long id)
    {
        if (!_leases.Remove(id))
        {
            return [];
        }
        var keys = _cold.KeysWithLease(id);
        foreach (var (key, newest) in _newest)
        {
            if (newest is { IsDelete: false } && newest.Lease == id)
            {
                keys.Add(key);
            }
        }
        return keys;
    }

    private void CheckReadable(long revision)
    {
        if (revision < CompactRevision)
        {
            throw new CompactedException(revision, CompactRevision);
        }
    }

    /// <summary>Keys under <paramref name="prefix"/> after <paramref name="startAfter"/> in ordinal order, each with its newest version: ordinary and settled keys merged.</summary>
    private IEnumerable<(string Key, KeyVersion Newest)> KeysFrom(string prefix, string? startAfter)
    {
        var lower = startAfter is not null && string.CompareOrdinal(startAfter, prefix) > 0 ? startAfter : prefix;
        using var hot = HotKeysFrom(lower, prefix).GetEnumerator();
        using var cold = _cold.From(lower, prefix).GetEnumerator();
        var hasHot = hot.MoveNext();
        var hasCold = cold.MoveNext();
        while (hasHot || hasCold)
        {
            // A key is ordinary or settled, never both.
            string key;
            KeyVersion newest;
            if (hasHot && (!hasCold || string.CompareOrdinal(hot.Current, cold.Current.Key) < 0))
            {
                (key, newest) = (hot.Current, _newest[hot.Current]);
                hasHot = hot.MoveNext();
            }
            else
            {
                (key, newest) = (cold.Current.Key, Thawed(cold.Current.Key, cold.Current.Version));
                hasCold = cold.MoveNext();
            }
            if (key != startAfter)
            {
                yield return (key, newest);
            }
        }
    }

    private IEnumerable<string> HotKeysFrom(string lower, string prefix)
    {
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
            yield return key;
        }
    }

    /// <summary>A key's newest version, ordinary or settled (then a copy outside the index), for reads.</summary>
    private KeyVersion? Newest(string key) =>
        _newest.TryGetValue(key, out var newest) ? newest
        : _cold.TryGet(key, out var cold) ? Thawed(key, cold)
        : null;

    /// <summary>A key's newest version for a write: a settled key becomes an ordinary one again first.</summary>
    private KeyVersion? HotNewest(string key)
    {
        if (_newest.TryGetValue(key, out var newest))
        {
            return newest;
        }
        if (!_cold.Remove(key, out var cold))
        {
            return null;
        }
        var version = Thawed(key, cold);
        _keys.Add(key);
        _newest[key] = version;
        return version;
    }

    private static KeyVersion Thawed(string key, ColdVersion cold) =>
        new(key, cold.ModRevision, cold.CreateRevision, cold.Version, cold.Lease, null) { Spilled = cold.Spilled };

    /// <summary>Makes <paramref name="version"/> its key's newest and the event log's last.</summary>
    private void Append(KeyVersion version)
    {
        if (version.Older is null)
        {
            _keys.Add(version.Key);
        }
        _newest[version.Key] = version;
        _events.Add(version);
        Revision = version.ModRevision;
    }

    private int FirstEventIndexAtOrAfter(long revision)
    {
        int lo = 0, hi = _events.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_events[mid].ModRevision < revision)
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

    /// <summary>The version current at <paramref name="revision"/>, walking back from the newest (recent reads are the common ones).</summary>
    private static KeyVersion? VersionAt(KeyVersion newest, long revision)
    {
        var version = newest;
        while (version is not null && version.ModRevision > revision)
        {
            version = version.Older;
        }
        return version;
    }

    /// <summary>The value in memory as it is; a spilled one is read back (under the owner's lock, so it cannot die meanwhile).</summary>
    private KeyValue ToKeyValue(KeyVersion v) =>
        new(v.Key, v.Value ?? _spill!.Read(v.Spilled), v.CreateRevision, v.ModRevision, v.Version, v.Lease);

    private void AddResident(string key, KeyVersion version)
    {
        ResidentBytes += version.Value!.Length;
        if (_spill is not null)
        {
            (key.StartsWith(_evictFirstPrefix, StringComparison.Ordinal) && _evictFirstPrefix.Length > 0 ? _evictFirst : _current).Enqueue(version);
        }
    }

    /// <summary>A version stopped being current: it is the first to leave memory.</summary>
    private void Supersede(KeyVersion? previous)
    {
        if (_spill is not null && previous?.Value is not null)
        {
            _superseded.Enqueue(previous);
        }
    }

    /// <summary>A version was compacted away: its memory or its place in the spill files is free.</summary>
    private void Forget(KeyVersion version)
    {
        if (version.Value is { } value)
        {
            ResidentBytes -= value.Length;
            version.Value = null; // the eviction queues may still hold the version; they skip it
        }
        else if (!version.IsDelete)
        {
            _spill?.Release(version.Spilled);
            version.Spilled = default;
        }
    }

    /// <summary>
    /// Once over the budget, spills values, in the order <see cref="LimitMemory"/> gives, until a
    /// little under it (so that each spill is one write of up to a megabyte, not one per value).
    /// </summary>
    private void EvictOverBudget()
    {
        if (_spill is null || ResidentBytes <= _budget || SpillFailure is not null)
        {
            return;
        }
        const int BatchBytes = 1 << 20;
        var target = _budget - Math.Min(_budget / 8, BatchBytes);
        var batch = new List<(KeyVersion Version, byte[] Value)>();
        long batchBytes = 0;
        while (ResidentBytes > target && NextToEvict() is { } victim)
        {
            // Taken out of memory at once, so that a version queued twice is not picked twice.
            var value = victim.Value!;
            victim.Value = null;
            ResidentBytes -= value.Length;
            batch.Add((victim, value));
            batchBytes += value.Length;
            if (batchBytes >= BatchBytes)
            {
                Spill(batch);
                batchBytes = 0;
            }
        }
        Spill(batch);
    }

    private KeyVersion? NextToEvict()
    {
        foreach (var queue in (ReadOnlySpan<Queue<KeyVersion>>)[_superseded, _evictFirst, _current])
        {
            while (queue.TryDequeue(out var version))
            {
                if (version.Value is not null)
                {
                    return version;
                }
            }
        }
        return null;
    }

    private void Spill(List<(KeyVersion Version, byte[] Value)> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }
        try
        {
            var handles = _spill!.Write(batch.ConvertAll(b => b.Value));
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Version.Spilled = handles[i];
            }
        }
        catch (IOException e)
        {
            // A full or failing disk must not fail the write that crossed the budget: the values
            // stay in memory and spilling stops; the owner reports SpillFailure.
            SpillFailure = e;
            foreach (var (version, value) in batch)
            {
                version.Value = value;
                ResidentBytes += value.Length;
            }
        }
        batch.Clear();
    }

    /// <summary>
    /// One version of a key, linked to the one before it (<see cref="Older"/>, null once
    /// compaction cut the history there). A version 0 marks a delete. Otherwise the value is either
    /// in memory (<see cref="Value"/>) or spilled (<see cref="Spilled"/>). It is also its own
    /// event in the event log: its previous value is <see cref="Older"/> unless that is a delete.
    /// </summary>
    private sealed class KeyVersion(string key, long modRevision, long createRevision, long version, long lease, KeyVersion? older)
    {
        public string Key { get; } = key;

        public KeyVersion? Older { get; set; } = older;

        public long ModRevision { get; } = modRevision;

        public long CreateRevision { get; } = createRevision;

        public long Version { get; } = version;

        public long Lease { get; } = lease;

        public bool IsDelete => Version == 0;

        public byte[]? Value { get; set; }

        public SpillHandle Spilled { get; set; }
    }

    private sealed class LeaseState(TimeSpan ttl)
    {
        public TimeSpan Ttl { get; } = ttl;

        public DateTimeOffset Deadline { get; set; }
    }
}
