using MiniKube.ApiServer.Registry;
using MiniKube.Storage;

namespace MiniKube.ApiServer.WatchCache;

/// <summary>
/// One event as a watcher sends it: ADDED, MODIFIED or DELETED, the stored object to write, and
/// the event's revision (the resourceVersion the object is written with).
/// </summary>
internal readonly record struct WatchItem(string Type, KeyValue Kv, long Revision);

/// <summary>
/// A store event with its object and previous object decoded at most once, on first use. Not
/// thread-safe: JsonNode trees are not safe for concurrent reads, so one instance is only ever
/// read by one thread (the cache's fan-out loop, or one watcher replaying history).
/// </summary>
internal sealed class DecodedEvent(WatchEvent ev)
{
    private JsonObject? _object;
    private JsonObject? _previous;

    public WatchEvent Event { get; } = ev;

    public JsonObject Object => _object ??= ObjectCodec.Decode(Event.Kv.Value, Event.Kv.ModRevision);

    public JsonObject Previous => _previous ??= ObjectCodec.Decode(Event.PrevKv!.Value, Event.PrevKv.ModRevision);

    /// <summary>
    /// What a watcher with <paramref name="filter"/> sees of this event, as upstream's
    /// cacheWatcher.convertToWatchEvent (apiserver pkg/storage/cacher/cache_watcher.go): MODIFIED
    /// while it matches, ADDED when it starts matching, and DELETED with the last matching state
    /// (at the event's revision) when it stops; null when the watcher sees nothing.
    /// </summary>
    public WatchItem? For(Func<JsonObject, bool>? filter)
    {
        var ev = Event;
        if (ev.Type == WatchEventType.Delete)
        {
            return ev.PrevKv is null || (filter is not null && !filter(Previous)) ? null : new WatchItem("DELETED", ev.PrevKv, ev.Revision);
        }
        if (filter is null)
        {
            return new WatchItem(ev.PrevKv is null ? "ADDED" : "MODIFIED", ev.Kv, ev.Revision);
        }
        var matches = filter(Object);
        var matched = ev.PrevKv is not null && filter(Previous);
        return (matches, matched) switch
        {
            (true, true) => new WatchItem("MODIFIED", ev.Kv, ev.Revision),
            (true, false) => new WatchItem("ADDED", ev.Kv, ev.Revision),
            (false, true) => new WatchItem("DELETED", ev.PrevKv!, ev.Revision),
            _ => null,
        };
    }
}
