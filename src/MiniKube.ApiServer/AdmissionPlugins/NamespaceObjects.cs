using System.Collections.Concurrent;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;
using MiniKube.Storage;

namespace MiniKube.ApiServer.AdmissionPlugins;

/// <summary>One object an admission plugin read, with the store revision a compare-and-swap needs.</summary>
/// <param name="Object">The decoded object (a private copy: the plugin may change it).</param>
/// <param name="Key">Its store key.</param>
/// <param name="ModRevision">The revision it was read at.</param>
/// <param name="Lease">Its store lease (kept on rewrite).</param>
public sealed record StoredObject(JsonObject Object, string Key, long ModRevision, long Lease);

/// <summary>
/// The LimitRanges or ResourceQuotas of a namespace as admission reads them: from the watch cache
/// (upstream's informer listers), and when the cache has none, from the store, that answer kept
/// for 30 seconds per namespace (the live-lookup LRU of upstream's limitranger and quota
/// accessor), so an object created a moment ago is not missed and namespaces without any cost
/// one store read per half minute, not one per write.
/// </summary>
public sealed class NamespaceObjects(IStore store, IListCache? cache, TimeProvider clock)
{
    private static readonly TimeSpan LiveLookupTtl = TimeSpan.FromSeconds(30);
    private static readonly ListOptions FromCache = new() { ResourceVersion = "0" };

    private readonly ConcurrentDictionary<(string Resource, string Namespace), (DateTimeOffset Expires, IReadOnlyList<StoredObject> Items)> _liveLookups = new();

    /// <summary>The objects of <paramref name="type"/> in <paramref name="ns"/>, from the cache when it has any.</summary>
    public async Task<IReadOnlyList<StoredObject>> ListAsync(ResourceType type, string ns, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (cache is not null && await cache.TryListAsync(type, ns, FromCache, null, cancellationToken) is { Items.Count: > 0 } page)
        {
            return [.. page.Items.Select(Decode)];
        }
        var now = clock.GetUtcNow();
        if (_liveLookups.TryGetValue((type.Name, ns), out var remembered) && remembered.Expires > now)
        {
            return [.. remembered.Items.Select(Copy)];
        }
        var items = await ReadAsync(type, ns, cancellationToken);
        _liveLookups[(type.Name, ns)] = (now + LiveLookupTtl, items);
        return [.. items.Select(Copy)];
    }

    /// <summary>A consistent read from the store, for a retry after a lost compare-and-swap.</summary>
    public async Task<IReadOnlyList<StoredObject>> ReadAsync(ResourceType type, string ns, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(type);
        var items = new List<StoredObject>();
        string? after = null;
        while (true)
        {
            var range = await store.RangeAsync(new RangeRequest(ResourceRegistry.Prefix(type, ns), Limit: 500, StartAfter: after), cancellationToken);
            items.AddRange(range.Items.Select(Decode));
            if (!range.More || range.Items.Count == 0)
            {
                return items;
            }
            after = range.Items[^1].Key;
        }
    }

    /// <summary>Writes <paramref name="updated"/> over <paramref name="read"/> if nothing changed it since; false when another write came first.</summary>
    public async Task<bool> CompareAndSwapAsync(StoredObject read, JsonObject updated, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(updated);
        var stored = updated.DeepClone().AsObject();
        ObjectCodec.Metadata(stored).Remove("resourceVersion");
        var result = await store.UpdateAsync(read.Key, ObjectCodec.Encode(stored), read.ModRevision, read.Lease, cancellationToken);
        return result.Succeeded;
    }

    private static StoredObject Decode(KeyValue kv) => new(ObjectCodec.Decode(kv.Value, kv.ModRevision), kv.Key, kv.ModRevision, kv.Lease);

    private static StoredObject Copy(StoredObject item) => item with { Object = item.Object.DeepClone().AsObject() };
}
