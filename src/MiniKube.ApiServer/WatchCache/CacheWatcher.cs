using MiniKube.Storage;

namespace MiniKube.ApiServer.WatchCache;

/// <summary>
/// One API watch served by a <see cref="ResourceCache"/> (upstream's cacheWatcher). The cache's
/// fan-out loop offers it every event under the cache's lock; the watcher keeps those under its
/// key prefix (the namespace), after its start revision, that its filter lets through. A full
/// queue cuts it off rather than making the fan-out wait.
/// </summary>
internal sealed class CacheWatcher : WatchStream
{
    private readonly ResourceCache _cache;

    public CacheWatcher(ResourceCache cache, string prefix, long startRevision, Func<JsonObject, bool>? filter, int capacity)
        : base(startRevision, capacity)
    {
        _cache = cache;
        Prefix = prefix;
        StartRevision = startRevision;
        Filter = filter;
    }

    public string Prefix { get; }

    public long StartRevision { get; }

    public Func<JsonObject, bool>? Filter { get; }

    /// <summary>
    /// Queues what this watcher sees of <paramref name="ev"/>; false when its queue is full and it
    /// must be cut off. Runs on the fan-out loop only, so <paramref name="ev"/>'s decoded objects
    /// are read by one thread.
    /// </summary>
    public bool Offer(DecodedEvent ev)
    {
        // Events up to the start are already in what the client listed (a watch may start ahead of the cache).
        if (ev.Event.Revision <= StartRevision || !ev.Event.Kv.Key.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return true;
        }
        return ev.For(Filter) is not { } item || Queue.Writer.TryWrite(item);
    }

    /// <summary>False once the cache stopped offering it events; guarded by the cache's lock.</summary>
    public bool Active { get; set; } = true;

    /// <summary>
    /// Ends the stream after what is queued: cut off for falling behind, or the cache restarting
    /// (no error: the client watches again from its last version), or failed (<paramref name="error"/>).
    /// </summary>
    public void End(Exception? error = null) => Queue.Writer.TryComplete(error);

    /// <summary>Fills the backlog: the initial objects as ADDED, or the window's events after the start.</summary>
    public void Prepare(List<KeyValue>? objects, List<WatchEvent>? history)
    {
        var backlog = new List<WatchItem>();
        if (objects is not null)
        {
            objects.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            foreach (var kv in objects)
            {
                if (Filter is null || Filter(Registry.ObjectCodec.Decode(kv.Value, kv.ModRevision)))
                {
                    backlog.Add(new WatchItem("ADDED", kv, kv.ModRevision));
                }
            }
        }
        foreach (var ev in history ?? [])
        {
            // Decoded here, for this watcher alone: the fan-out loop's copies are not shared across threads.
            if (ev.Kv.Key.StartsWith(Prefix, StringComparison.Ordinal) && new DecodedEvent(ev).For(Filter) is { } item)
            {
                backlog.Add(item);
            }
        }
        SetBacklog(backlog);
    }

    public override long ProgressRevision() => _cache.ProgressOf(this);

    public override ValueTask DisposeAsync()
    {
        _cache.Remove(this);
        Queue.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }
}
