using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Webhooks;

namespace MiniKube.ApiServer.Aggregation;

/// <summary>
/// The discovery of extension API servers, merged into ours as kube-aggregator's discovery
/// aggregation does (handler_discovery.go, apis.go): each service-backed APIService's
/// APIResourceList is fetched from <c>/apis/&lt;group&gt;/&lt;version&gt;</c> (over the same
/// verified TLS as the proxy, as system:kube-aggregator in system:masters), cached, and
/// refreshed when the APIService changes and periodically; a failed refresh keeps the last list
/// and marks it Stale. Legacy <c>/apis</c> lists every service-backed group-version whatever its
/// state (a client then sees the 503 of the one that is down, as upstream); the aggregated
/// document lists those whose resources are known. Groups are ordered by groupPriorityMinimum,
/// versions by versionPriority, then kube-aware, as upstream's APIService sort. Thread-safe.
/// </summary>
public sealed partial class RemoteDiscovery(ServiceTransports transports, IServiceResolver resolver, TimeSpan timeout, ILogger<RemoteDiscovery> logger)
{
    private readonly ConcurrentDictionary<string, Entry> _lists = new(StringComparer.Ordinal);

    /// <summary>Fetches the group-version's APIResourceList again; on failure the last one stays, Stale.</summary>
    public async Task RefreshAsync(ApiServiceInfo apiService, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(apiService);
        if (apiService.Service is not { } service)
        {
            return;
        }
        var transport = transports.For(apiService.CaBundle, apiService.InsecureSkipTlsVerify);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, apiService.ServiceUrl(apiService.DiscoveryPath));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        FrontProxyHeaders.Set(request, "system:kube-aggregator", ["system:masters"]);
        try
        {
            request.Options.Set(ServiceTransport.Endpoint, await resolver.ResolveAsync(service, deadline.Token));
            using var response = await transport.Client.SendAsync(request, HttpCompletionOption.ResponseContentRead, deadline.Token);
            var body = await response.Content.ReadAsByteArrayAsync(deadline.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"discovery answered {((int)response.StatusCode).ToString(CultureInfo.InvariantCulture)}");
            }
            var list = JsonNode.Parse(body) as JsonObject ?? throw new JsonException("not a JSON object");
            _lists[apiService.Name] = new Entry(list, Stale: false);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or ServiceResolutionException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogRefreshFailed(apiService.Name, e.Message);
            _lists.AddOrUpdate(apiService.Name, _ => new Entry(null, Stale: true), (_, old) => old with { Stale = true });
        }
    }

    /// <summary>Forgets the lists of APIServices that are gone or became local.</summary>
    public void Retain(IReadOnlySet<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        foreach (var name in _lists.Keys.Where(n => !names.Contains(n)).ToList())
        {
            _lists.TryRemove(name, out _);
        }
    }

    /// <summary>The resource list last fetched for an APIService, or null.</summary>
    public JsonObject? ResourceList(string name) => _lists.TryGetValue(name, out var entry) ? entry.List : null;

    /// <summary>APIGroup entries (legacy /apis) of the service-backed APIServices, grouped, best first.</summary>
    public static IReadOnlyList<JsonObject> LegacyGroups(IEnumerable<ApiServiceInfo> remote) =>
        Sorted(remote).Select(g => GroupEntry(g.Key, g.Select(a => a.Version).ToList())).ToList();

    /// <summary>The APIGroup document of one group's APIServices (GET /apis/&lt;group&gt;); null when there are none.</summary>
    public static JsonObject? GroupDocument(string group, IEnumerable<ApiServiceInfo> apiServices)
    {
        var versions = Sorted(apiServices.Where(a => a.Group == group)).SelectMany(g => g.Select(a => a.Version)).ToList();
        if (versions.Count == 0)
        {
            return null;
        }
        var entry = GroupEntry(group, versions);
        entry["kind"] = "APIGroup";
        entry["apiVersion"] = "v1";
        return entry;
    }

    /// <summary>apidiscovery.k8s.io/v2 APIGroupDiscovery items of the service-backed APIServices whose resources are known.</summary>
    public IReadOnlyList<JsonObject> AggregatedGroups(IEnumerable<ApiServiceInfo> remote)
    {
        var items = new List<JsonObject>();
        foreach (var group in Sorted(remote))
        {
            var versions = new JsonArray();
            foreach (var apiService in group)
            {
                if (!_lists.TryGetValue(apiService.Name, out var entry) || entry.List is null)
                {
                    continue;
                }
                versions.Add(new JsonObject
                {
                    ["version"] = apiService.Version,
                    ["resources"] = AggregatedResources(apiService.Group, apiService.Version, entry.List),
                    ["freshness"] = entry.Stale ? "Stale" : "Current",
                });
            }
            if (versions.Count > 0)
            {
                items.Add(new JsonObject { ["metadata"] = new JsonObject { ["name"] = group.Key }, ["versions"] = versions });
            }
        }
        return items;
    }

    // Groups by highest groupPriorityMinimum, then name; versions by versionPriority, then kube-aware order.
    private static IEnumerable<IGrouping<string, ApiServiceInfo>> Sorted(IEnumerable<ApiServiceInfo> apiServices) =>
        apiServices
            .OrderByDescending(a => a.VersionPriority).ThenBy(a => a.Version, KubeVersions.Comparer)
            .GroupBy(a => a.Group)
            .OrderByDescending(g => g.Max(a => a.GroupPriorityMinimum)).ThenBy(g => g.Key, StringComparer.Ordinal);

    private static JsonObject GroupEntry(string group, List<string> versions) => new()
    {
        ["name"] = group,
        ["versions"] = new JsonArray(versions.Select(v => (JsonNode)VersionEntry(group, v)).ToArray()),
        ["preferredVersion"] = VersionEntry(group, versions[0]),
    };

    private static JsonObject VersionEntry(string group, string version) => new() { ["groupVersion"] = $"{group}/{version}", ["version"] = version };

    /// <summary>
    /// A legacy APIResourceList's resources in the aggregated shape (apiserver
    /// endpoints/discovery/aggregated conversion): "parent/sub" entries become subresources of
    /// their parent, and responseKind defaults to the list's group-version.
    /// </summary>
    public static JsonArray AggregatedResources(string group, string version, JsonObject resourceList)
    {
        ArgumentNullException.ThrowIfNull(resourceList);
        var resources = new List<JsonObject>();
        var byName = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        var all = resourceList.Items("resources").Select(r => r.Item).ToList();
        foreach (var resource in all.Where(r => !r.StrOrEmpty("name").Contains('/', StringComparison.Ordinal)))
        {
            var entry = new JsonObject
            {
                ["resource"] = resource.StrOrEmpty("name"),
                ["responseKind"] = Kind(resource, group, version),
                ["scope"] = resource.Bool("namespaced") == true ? "Namespaced" : "Cluster",
                ["singularResource"] = resource.StrOrEmpty("singularName"),
                ["verbs"] = resource["verbs"]?.DeepClone() ?? new JsonArray(),
            };
            foreach (var optional in new[] { "shortNames", "categories" })
            {
                if (resource[optional] is JsonArray { Count: > 0 } values)
                {
                    entry[optional] = values.DeepClone();
                }
            }
            byName[resource.StrOrEmpty("name")] = entry;
            resources.Add(entry);
        }
        foreach (var sub in all.Where(r => r.StrOrEmpty("name").Contains('/', StringComparison.Ordinal)))
        {
            var name = sub.StrOrEmpty("name");
            var slash = name.IndexOf('/', StringComparison.Ordinal);
            if (!byName.TryGetValue(name[..slash], out var parent))
            {
                continue;
            }
            var subresources = parent["subresources"] as JsonArray ?? [];
            parent["subresources"] = subresources;
            subresources.Add(new JsonObject
            {
                ["subresource"] = name[(slash + 1)..],
                ["responseKind"] = Kind(sub, group, version),
                ["verbs"] = sub["verbs"]?.DeepClone() ?? new JsonArray(),
            });
        }
        return new JsonArray(resources.Select(r => (JsonNode)r).ToArray());
    }

    private static JsonObject Kind(JsonObject resource, string group, string version) => new()
    {
        ["group"] = resource.Str("group") ?? group,
        ["version"] = resource.Str("version") ?? version,
        ["kind"] = resource.StrOrEmpty("kind"),
    };

    private sealed record Entry(JsonObject? List, bool Stale);

    [LoggerMessage(EventId = LogEvents.ApiServer + 503, Level = LogLevel.Information, Message = "Discovery of APIService {ApiService} failed, keeping what was known: {Error}")]
    private partial void LogRefreshFailed(string apiService, string error);
}
