namespace MiniKube.ApiServer.WatchCache;

/// <summary>
/// The gate of an in-memory index fed from several ways at once (<see cref="ObjectFeed"/>: this
/// server's own writes and the store's watch): it remembers the revision of the last state taken
/// in for each object and hands the index (<c>take</c>, called under its lock, one state at a
/// time) only states newer than that, so an older state never replaces a newer one that arrived
/// first. A deletion outranks a state of the same revision: this server learns of its own delete
/// with the deleted object's version, which the watch may still deliver as an ADDED after it.
/// </summary>
internal sealed class RevisionLedger<TKey>(Action<TKey, JsonObject?> take)
    where TKey : notnull
{
    private readonly Lock _gate = new();
    private readonly Dictionary<TKey, long> _orders = [];
    private int _deletions;

    /// <summary>Takes in the state of <paramref name="key"/> at <paramref name="revision"/> (null when gone), unless a newer one was taken in.</summary>
    public void Apply(TKey key, JsonObject obj, bool gone, long revision)
    {
        lock (_gate)
        {
            if (Advance(key, revision, gone))
            {
                take(key, gone ? null : obj);
            }
        }
    }

    /// <summary>
    /// After a re-list at <paramref name="revision"/>: the keys <paramref name="belongs"/> selects
    /// that the list did not hold and that no newer state reached are taken in as deleted then.
    /// </summary>
    public void RetainOnly(Func<TKey, bool> belongs, Func<TKey, bool> present, long revision)
    {
        ArgumentNullException.ThrowIfNull(belongs);
        ArgumentNullException.ThrowIfNull(present);
        lock (_gate)
        {
            foreach (var key in _orders.Where(kv => belongs(kv.Key) && !present(kv.Key) && kv.Value <= revision * 2).Select(kv => kv.Key).ToList())
            {
                Advance(key, revision, gone: true);
                take(key, null);
            }
        }
    }

    /// <summary>
    /// Once more than <paramref name="kept"/> deletions are remembered, forgets those
    /// <paramref name="belongs"/> selects at or below <paramref name="revision"/>, a revision the
    /// watch has delivered everything up to (deletions are kept so a late older state cannot bring
    /// an object back; the watch can no longer deliver one).
    /// </summary>
    public void ForgetDeletions(Func<TKey, bool> belongs, long revision, int kept)
    {
        ArgumentNullException.ThrowIfNull(belongs);
        lock (_gate)
        {
            if (_deletions <= kept)
            {
                return;
            }
            foreach (var key in _orders.Where(kv => (kv.Value & 1) == 1 && kv.Value <= (revision * 2) + 1 && belongs(kv.Key)).Select(kv => kv.Key).ToList())
            {
                _orders.Remove(key);
                _deletions--;
            }
        }
    }

    // Records the state and answers true, unless a newer one was recorded.
    private bool Advance(TKey key, long revision, bool gone)
    {
        var order = (revision * 2) + (gone ? 1 : 0);
        var known = _orders.TryGetValue(key, out var seen);
        if (known && seen > order)
        {
            return false;
        }
        _deletions += (gone ? 1 : 0) - (known && (seen & 1) == 1 ? 1 : 0);
        _orders[key] = order;
        return true;
    }
}
