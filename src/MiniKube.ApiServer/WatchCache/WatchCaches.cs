using Microsoft.Extensions.Logging;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;
using MiniKube.Storage;

namespace MiniKube.ApiServer.WatchCache;

/// <summary>
/// The API server's watch caches, one <see cref="ResourceCache"/> per resource, each started on
/// first use and kept until the server stops. Serves watches (from the cache when the start is
/// inside its window, else from a store watch of their own) and the LISTs a cache can answer:
/// resourceVersion "0", and a not-older-than version the cache has reached (upstream's
/// cacher.GetList with shouldDelegateList of v1.32). Everything else lists from the store.
/// </summary>
internal sealed class WatchCaches(IStore store, WatchCacheOptions options, ILogger logger) : IListCache, IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ResourceCache> _caches = new(StringComparer.Ordinal);
    private bool _disposed;

    public WatchCacheOptions Options { get; } = options;

    /// <summary>
    /// The events of <paramref name="type"/> under <paramref name="ns"/> after
    /// <paramref name="startRevision"/>, or (null) the current objects as ADDED first and then
    /// what follows. A start older than the cache's window gets a store watch of its own, which
    /// throws <see cref="CompactedException"/> when the store no longer has it.
    /// </summary>
    public async Task<WatchStream> WatchAsync(ResourceType type, string? ns, long? startRevision, Func<JsonObject, bool>? filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(type);
        var prefix = ResourceRegistry.Prefix(type, ns);
        var cache = For(type, startRevision ?? 0);
        if (await cache.WatchAsync(prefix, startRevision, filter, cancellationToken) is { } watcher)
        {
            return watcher;
        }
        return await StoreWatchStream.OpenAsync(store, prefix, startRevision ?? 0, filter, Options.WatcherQueueCapacity, cancellationToken);
    }

    public async Task<ListPage?> TryListAsync(ResourceType type, string? ns, ListOptions listOptions, Func<JsonObject, bool>? filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(listOptions);
        // Consistent reads (no resourceVersion), exact ones and continuations go to the store; so
        // do limited lists above "0", while "0" is served whole, its limit ignored, as upstream.
        if (listOptions.ResourceVersion is null || listOptions.Continue is not null || listOptions.ResourceVersionMatch == "Exact"
            || (listOptions.Limit > 0 && listOptions.ResourceVersion != "0"))
        {
            return null;
        }
        var minimum = listOptions.Revision;
        var cache = For(type, 0);
        var prefix = ResourceRegistry.Prefix(type, ns);
        // A cache that serves and has reached the version answers at once. Admission lists several
        // kinds this way on every write, and the wait below (a linked token with a timer) costs
        // more than the list of a kind that has no objects.
        if (cache.TrySnapshot(prefix, minimum, out var ready, out var readyRevision))
        {
            return Page(ready, readyRevision, filter);
        }
        var deadline = DateTime.UtcNow + Options.FreshnessTimeout;
        while (true)
        {
            var advanced = cache.NextAdvance();
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                wait.CancelAfter(Max(deadline - DateTime.UtcNow, TimeSpan.Zero));
                try
                {
                    await cache.WaitReadyAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // The cache cannot load (the store is failing): the store's own answer is the right one.
                    return null;
                }
            }
            if (cache.TrySnapshot(prefix, minimum, out var objects, out var revision))
            {
                return Page(objects, revision, filter);
            }
            if (!cache.Serving)
            {
                continue;
            }
            // Behind the version asked for. The store has no progress notifications for us, so
            // the cache cannot tell that it has seen everything up to a version the store has
            // reached; the store answers such a list (as before there was a cache).
            var current = await store.GetCurrentRevisionAsync(cancellationToken);
            if (current >= minimum)
            {
                return null;
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                // watch_cache.go waitUntilFreshAndBlock: a Timeout with a retry hint.
                throw ApiException.TooLargeResourceVersion(minimum, current);
            }
            await Task.WhenAny(advanced, Task.Delay(Min(left, TimeSpan.FromMilliseconds(100)), cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    public KeyValue? TryGetCached(ResourceType type, string key)
    {
        ArgumentNullException.ThrowIfNull(type);
        return For(type, 0).Find(key);
    }

    public async ValueTask DisposeAsync()
    {
        List<ResourceCache> caches;
        lock (_gate)
        {
            _disposed = true;
            caches = [.. _caches.Values];
            _caches.Clear();
        }
        foreach (var cache in caches)
        {
            await cache.DisposeAsync();
        }
    }

    /// <summary>The cache of <paramref name="type"/>, started (loading at <paramref name="startRevision"/>) if it has none.</summary>
    private ResourceCache For(ResourceType type, long startRevision)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_caches.TryGetValue(type.KeyPrefix, out var cache))
            {
                cache = new ResourceCache(store, type.KeyPrefix, startRevision, Options, logger);
                _caches.Add(type.KeyPrefix, cache);
            }
            return cache;
        }
    }

    private static ListPage Page(List<KeyValue> objects, long revision, Func<JsonObject, bool>? filter)
    {
        objects.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        if (filter is not null)
        {
            objects.RemoveAll(kv => !filter(ObjectCodec.Decode(kv.Value, kv.ModRevision)));
        }
        return new ListPage(objects, revision, null);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
