namespace MiniKube.ApiServer.WatchCache;

/// <summary>
/// The revision of the last state taken in for each object of an in-memory index fed from
/// several ways at once (<see cref="ObjectFeed"/>: this server's own writes and the store's
/// watch), so an older state never replaces a newer one that arrived first. A deletion outranks
/// a state of the same revision: this server learns of its own delete with the deleted object's
/// version, which the watch may still deliver as an ADDED after it. Not thread-safe: the index
/// calls it under its own lock.
/// </summary>
internal sealed class RevisionLedger<TKey>
    where TKey : notnull
{
    private readonly Dictionary<TKey, long> _orders = [];

    /// <summary>How many deletions are remembered (they are kept so a late older state cannot bring the object back).</summary>
    public int Deletions { get; private set; }

    /// <summary>Records the state of <paramref name="key"/> at <paramref name="revision"/> and answers true, unless a newer one was taken in.</summary>
    public bool Advance(TKey key, long revision, bool gone)
    {
        var order = (revision * 2) + (gone ? 1 : 0);
        var known = _orders.TryGetValue(key, out var seen);
        if (known && seen > order)
        {
            return false;
        }
        Deletions += (gone ? 1 : 0) - (known && (seen & 1) == 1 ? 1 : 0);
        _orders[key] = order;
        return true;
    }

    /// <summary>
    /// After a re-list at <paramref name="revision"/>: the keys <paramref name="belongs"/> selects
    /// that the list did not hold and that no newer state reached; each is recorded as deleted then.
    /// </summary>
    public List<TKey> Vanished(Func<TKey, bool> belongs, Func<TKey, bool> present, long revision)
    {
        ArgumentNullException.ThrowIfNull(belongs);
        ArgumentNullException.ThrowIfNull(present);
        var vanished = _orders.Where(kv => belongs(kv.Key) && !present(kv.Key) && kv.Value <= revision * 2).Select(kv => kv.Key).ToList();
        foreach (var key in vanished)
        {
            Advance(key, revision, gone: true);
        }
        return vanished;
    }

    /// <summary>
    /// Forgets deletions <paramref name="belongs"/> selects at or below <paramref name="revision"/>,
    /// a revision the watch has delivered everything up to, so no older state of them can still come that way.
    /// </summary>
    public void ForgetDeletions(Func<TKey, bool> belongs, long revision)
    {
        ArgumentNullException.ThrowIfNull(belongs);
        foreach (var key in _orders.Where(kv => (kv.Value & 1) == 1 && kv.Value <= (revision * 2) + 1 && belongs(kv.Key)).Select(kv => kv.Key).ToList())
        {
            _orders.Remove(key);
            Deletions--;
        }
    }
}
