using MiniKube.Storage;

namespace MiniKube.ApiServer.WatchCache;

/// <summary>
/// The bounded window of a resource's recent events (watch_cache.go's cyclic buffer): a watch
/// starting inside it is replayed from memory. Not thread-safe; its cache guards it.
/// </summary>
internal sealed class EventRing(int capacity)
{
    private readonly WatchEvent[] _events = new WatchEvent[Math.Max(1, capacity)];
    private int _start;
    private int _count;
    private bool _evicted;
    private long _listRevision;

    public int Count => _count;

    /// <summary>Empties the window after a (re)list at <paramref name="listRevision"/>.</summary>
    public void Reset(long listRevision)
    {
        Array.Clear(_events);
        _start = 0;
        _count = 0;
        _evicted = false;
        _listRevision = listRevision;
    }

    public void Add(WatchEvent ev)
    {
        if (_count == _events.Length)
        {
            _events[_start] = ev;
            _start = (_start + 1) % _events.Length;
            _evicted = true;
            return;
        }
        _events[(_start + _count) % _events.Length] = ev;
        _count++;
    }

    /// <summary>
    /// Whether every event after <paramref name="revision"/> is still here. As upstream's
    /// getAllEventsSinceLocked: the oldest deliverable event is the one after the list until
    /// something was evicted, then the first one kept.
    /// </summary>
    public bool Covers(long revision) =>
        !_evicted ? revision >= _listRevision : revision >= _events[_start].Revision - 1;

    /// <summary>The kept events after <paramref name="revision"/>, in order.</summary>
    public List<WatchEvent> Since(long revision)
    {
        var since = new List<WatchEvent>();
        for (var i = 0; i < _count; i++)
        {
            var ev = _events[(_start + i) % _events.Length];
            if (ev.Revision > revision)
            {
                since.Add(ev);
            }
        }
        return since;
    }
}
