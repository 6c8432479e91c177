using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;
using MiniKube.Storage;

namespace MiniKube.ApiServer.AdmissionPlugins;

/// <summary>
/// The reads admission plugins make on every write (configurations, namespaces, Services and
/// their endpoints), answered by the watch cache as upstream's plugins answer them from
/// informers, and by the store when the cache does not have the object or cannot serve.
/// Returned objects are the cache's: callers must not change them.
/// </summary>
public sealed class CachedReads(IStore store, IListCache? cache)
{
    private static readonly ListOptions FromCache = new() { ResourceVersion = "0" };

    /// <summary>One object; null when it does not exist.</summary>
    public async Task<KeyValue?> GetAsync(ResourceType type, string? ns, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(type);
        var key = ResourceRegistry.Key(type, ns, name);
        // A miss in the cache may be an object it has not seen yet: the store settles it, as
        // upstream's namespace matcher falls back to a live GET.
        return cache?.TryGetCached(type, key) ?? await store.GetAsync(key, 0, cancellationToken);
    }

    /// <summary>Every object of <paramref name="type"/> (in <paramref name="ns"/>), as the cache holds them.</summary>
    public async Task<IReadOnlyList<KeyValue>> ListAsync(ResourceType type, string? ns, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (cache is not null && await cache.TryListAsync(type, ns, FromCache, null, cancellationToken) is { } page)
        {
            return page.Items;
        }
        return (await store.RangeAsync(new RangeRequest(ResourceRegistry.Prefix(type, ns)), cancellationToken)).Items;
    }
}
