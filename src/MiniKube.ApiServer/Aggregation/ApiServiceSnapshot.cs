using System.Collections.Concurrent;
using MiniKube.ApiServer.AdmissionPlugins;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;
using MiniKube.Storage;

namespace MiniKube.ApiServer.Aggregation;

/// <summary>
/// The stored APIServices as <see cref="ApiServiceInfo"/>s, read through the watch cache and
/// parsed once per stored version (what upstream's aggregator keeps in its APIService lister):
/// one by name for routing a request, or all of them for discovery and the availability check.
/// Thread-safe.
/// </summary>
public sealed class ApiServiceSnapshot(CachedReads reads)
{
    private static readonly ResourceType ApiServices = ResourceCatalog.Find("apiregistration.k8s.io", "v1", "apiservices")!;

    private readonly ConcurrentDictionary<string, ApiServiceInfo> _parsed = new(StringComparer.Ordinal);

    /// <summary>The APIService of a group-version, or null when there is none.</summary>
    public async Task<ApiServiceInfo?> FindAsync(string group, string version, CancellationToken cancellationToken)
    {
        var kv = await reads.GetAsync(ApiServices, null, LocalApiServices.NameOf(group, version), cancellationToken);
        return kv is null ? null : Parse(kv);
    }

    /// <summary>Every APIService.</summary>
    public async Task<IReadOnlyList<ApiServiceInfo>> CurrentAsync(CancellationToken cancellationToken)
    {
        var items = await reads.ListAsync(ApiServices, null, cancellationToken);
        var parsed = items.Select(Parse).ToList();
        if (_parsed.Count > parsed.Count * 2 + 16)
        {
            // Deleted APIServices leave their last version here; trim now and then.
            var live = parsed.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var name in _parsed.Keys.Where(n => !live.Contains(n)).ToList())
            {
                _parsed.TryRemove(name, out _);
            }
        }
        return parsed;
    }

    private ApiServiceInfo Parse(KeyValue kv)
    {
        var name = kv.Key[(kv.Key.LastIndexOf('/') + 1)..];
        if (_parsed.TryGetValue(name, out var known) && known.Revision == kv.ModRevision)
        {
            return known;
        }
        var parsed = ApiServiceInfo.Read(ObjectCodec.Decode(kv.Value, kv.ModRevision), kv.ModRevision);
        _parsed[name] = parsed;
        return parsed;
    }
}
