using MiniKube.ApiServer.Resources;
using MiniKube.Storage;

namespace MiniKube.ApiServer.Registry;

/// <summary>
/// Answers the reads that need not go to the store (a watch cache: resourceVersion "0" and
/// not-older-than LISTs, and admission's lookups that upstream serves from an informer). Null
/// means "ask the store", which stays the home of consistent reads.
/// </summary>
public interface IListCache
{
    Task<ListPage?> TryListAsync(ResourceType type, string? ns, ListOptions options, Func<JsonObject, bool>? filter, CancellationToken cancellationToken);

    /// <summary>The object at <paramref name="key"/> as the cache holds it; null when the cache does not have it (or is not serving yet).</summary>
    KeyValue? TryGetCached(ResourceType type, string key);
}
