namespace MiniKube.ApiServer.WatchCache;

/// <summary>Sizes and waits of the watch cache; the defaults suit a node from a Pi to a server.</summary>
public sealed class WatchCacheOptions
{
    /// <summary>
    /// Recent events each resource keeps, so a watch resuming from a recent resourceVersion is
    /// served from memory. Older starts fall back to a store watch of their own.
    /// </summary>
    public int EventWindow { get; init; } = 1000;

    /// <summary>
    /// Events a watcher may fall behind before it is cut off (its stream ends and the client
    /// watches again from its last version), so one slow client never holds up the others.
    /// </summary>
    public int WatcherQueueCapacity { get; init; } = 10_000;

    /// <summary>
    /// How long a list with a resourceVersion the store has not reached waits for it before a
    /// 504 "Too large resource version" (upstream's blockTimeout in watch_cache.go).
    /// </summary>
    public TimeSpan FreshnessTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Pause before a resource's cache lists and watches again after its store watch failed.</summary>
    public TimeSpan RestartDelay { get; init; } = TimeSpan.FromSeconds(1);
}
