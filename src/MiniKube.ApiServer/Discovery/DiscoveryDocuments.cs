using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Discovery;

/// <summary>
/// The discovery documents kubectl's REST mapper reads, rendered once from one state of
/// <see cref="ApiResources"/> (built-ins and custom resources): legacy APIVersions, APIGroupList and APIResourceList, and the
/// aggregated APIGroupDiscoveryList (apidiscovery.k8s.io/v2) that saves clients one request
/// per group-version. Shapes follow kubernetes/api apidiscovery/v2/types.go and
/// apimachinery meta/v1 types.go. Every resource of a group, built-in or from any number of
/// CRDs, is listed under one group item (clients such as Helm fail on two items for one group).
/// </summary>
public sealed class DiscoveryDocuments
{
    /// <summary>Content type of an aggregated answer in <paramref name="version"/> (v2 or v2beta1); clients parse the body by it.</summary>
    public static string AggregatedContentType(string version) => $"application/json;g=apidiscovery.k8s.io;v={version};as=APIGroupDiscoveryList";

    private readonly Dictionary<string, byte[]> _resourceLists;
    private readonly Dictionary<string, byte[]> _groups;
    private readonly Dictionary<(bool Core, string Version), byte[]> _aggregated = [];

    private readonly IReadOnlyList<ResourceType> _all;

    /// <summary>The documents of <paramref name="all"/>, the served set at <paramref name="catalogVersion"/> of the catalog.</summary>
    public DiscoveryDocuments(string serverAddress, IReadOnlyList<ResourceType> all, long catalogVersion)
    {
        ArgumentNullException.ThrowIfNull(all);
        _all = all;
        ServerAddress = serverAddress;
        CatalogVersion = catalogVersion;
        Core = Utf8(new JsonObject
        {
            ["kind"] = "APIVersions",
            ["versions"] = new JsonArray("v1"),
            ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
        });
        Groups = Utf8(new JsonObject
        {
            ["kind"] = "APIGroupList",
            ["apiVersion"] = "v1",
            ["groups"] = new JsonArray(NamedGroups().Select(g => (JsonNode)GroupEntry(g)).ToArray()),
        });
        _resourceLists = all.GroupBy(r => r.GroupVersion)
            .ToDictionary(g => g.Key, g => Utf8(ResourceList(g.Key, g)), StringComparer.Ordinal);
        _groups = NamedGroups().ToDictionary(g => g.Key, g =>
        {
            var entry = GroupEntry(g);
            entry["kind"] = "APIGroup";
            entry["apiVersion"] = "v1";
            return Utf8(entry);
        }, StringComparer.Ordinal);
        // v2beta1 has v2's shape; a client that only knows it gets it under its own name.
        foreach (var version in new[] { "v2", "v2beta1" })
        {
            _aggregated[(true, version)] = Utf8(AggregatedList(all.Where(r => r.Group.Length == 0).GroupBy(r => r.Group), version));
            _aggregated[(false, version)] = Utf8(AggregatedList(NamedGroups(), version));
        }
    }

    /// <summary>The address the documents advertise.</summary>
    public string ServerAddress { get; }

    /// <summary>The <see cref="ApiResources.Version"/> these documents show.</summary>
    public long CatalogVersion { get; }

    /// <summary>GET /api, legacy.</summary>
    public byte[] Core { get; }

    /// <summary>GET /apis, legacy.</summary>
    public byte[] Groups { get; }

    /// <summary>GET /api (core) or /apis, aggregated, in apidiscovery.k8s.io/<paramref name="version"/>.</summary>
    public byte[] Aggregated(bool core, string version) => _aggregated[(core, version)];

    /// <summary>GET /apis/group: the APIGroup document.</summary>
    public byte[]? Group(string group) => _groups.GetValueOrDefault(group);

    /// <summary>GET /api/v1 or /apis/group/version.</summary>
    public byte[]? ResourceList(string groupVersion) => _resourceLists.GetValueOrDefault(groupVersion);

    // Built-in groups in catalog order, then custom groups by name (kube-apiserver lists CRD groups after its own).
    private IEnumerable<IGrouping<string, ResourceType>> NamedGroups() =>
        _all.Where(r => r.Group.Length > 0).GroupBy(r => r.Group);

    // Every served version, preferred first: for built-ins the catalog's order (as kube-apiserver lists
    // autoscaling v2 before v1), for custom groups Kubernetes' version priority (v2 > v1 > v1beta2 > v1beta1 > v1alpha1 > others).
    private static List<string> Versions(IGrouping<string, ResourceType> group)
    {
        var versions = group.Select(r => r.Version).Distinct().ToList();
        if (group.All(r => r.Custom is not null))
        {
            versions.Sort(VersionPriority.Compare);
        }
        return versions;
    }

    private static JsonObject GroupEntry(IGrouping<string, ResourceType> group)
    {
        var versions = Versions(group);
        return new()
        {
            ["name"] = group.Key,
            ["versions"] = new JsonArray(versions.Select(v => (JsonNode)VersionEntry(group.Key, v)).ToArray()),
            ["preferredVersion"] = VersionEntry(group.Key, versions[0]),
        };
    }

    private static JsonObject VersionEntry(string group, string version) => new() { ["groupVersion"] = $"{group}/{version}", ["version"] = version };

    private static JsonObject ResourceList(string groupVersion, IEnumerable<ResourceType> resources)
    {
        var items = new JsonArray();
        foreach (var resource in resources)
        {
            var entry = new JsonObject
            {
                ["name"] = resource.Name,
                ["singularName"] = resource.SingularName,
                ["namespaced"] = resource.Namespaced,
                ["kind"] = resource.Kind,
                ["verbs"] = Strings(resource.Verbs),
            };
            AddAliases(entry, resource);
            items.Add(entry);
            foreach (var sub in resource.Subresources)
            {
                var subEntry = new JsonObject
                {
                    ["name"] = $"{resource.Name}/{sub.Name}",
                    ["singularName"] = "",
                    ["namespaced"] = resource.Namespaced,
                };
                // Only a subresource of another group's kind names its group and version (pods/eviction, */scale).
                if (sub.Group != resource.Group || sub.Version != resource.Version)
                {
                    subEntry["group"] = sub.Group;
                    subEntry["version"] = sub.Version;
                }
                subEntry["kind"] = sub.Kind;
                subEntry["verbs"] = Strings(sub.Verbs);
                items.Add(subEntry);
            }
        }
        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = groupVersion,
            ["resources"] = items,
        };
    }

    // shortNames and categories are omitempty in both discovery forms.
    private static void AddAliases(JsonObject entry, ResourceType resource)
    {
        if (resource.ShortNames.Count > 0)
        {
            entry["shortNames"] = Strings(resource.ShortNames);
        }
        if (resource.Categories.Count > 0)
        {
            entry["categories"] = Strings(resource.Categories);
        }
    }

    private static JsonObject AggregatedList(IEnumerable<IGrouping<string, ResourceType>> groups, string version)
    {
        var items = new JsonArray();
        foreach (var group in groups)
        {
            var versions = new JsonArray();
            foreach (var groupVersion in Versions(group))
            {
                versions.Add(new JsonObject
                {
                    ["version"] = groupVersion,
                    ["resources"] = new JsonArray(group.Where(r => r.Version == groupVersion).Select(r => (JsonNode)AggregatedResource(r)).ToArray()),
                    ["freshness"] = "Current",
                });
            }
            items.Add(new JsonObject { ["metadata"] = new JsonObject { ["name"] = group.Key }, ["versions"] = versions });
        }
        return new JsonObject
        {
            ["kind"] = "APIGroupDiscoveryList",
            ["apiVersion"] = "apidiscovery.k8s.io/" + version,
            ["metadata"] = new JsonObject(),
            ["items"] = items,
        };
    }

    private static JsonObject AggregatedResource(ResourceType resource)
    {
        var entry = new JsonObject
        {
            ["resource"] = resource.Name,
            ["responseKind"] = Gvk(resource.Group, resource.Version, resource.Kind),
            ["scope"] = resource.Namespaced ? "Namespaced" : "Cluster",
            ["singularResource"] = resource.SingularName,
            ["verbs"] = Strings(resource.Verbs),
        };
        AddAliases(entry, resource);
        if (resource.Subresources.Count > 0)
        {
            entry["subresources"] = new JsonArray(resource.Subresources.Select(s => (JsonNode)new JsonObject
            {
                ["subresource"] = s.Name,
                ["responseKind"] = Gvk(s.Group, s.Version, s.Kind),
                ["verbs"] = Strings(s.Verbs),
            }).ToArray());
        }
        return entry;
    }

    private static JsonObject Gvk(string group, string version, string kind) =>
        new() { ["group"] = group, ["version"] = version, ["kind"] = kind };

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());

    private static byte[] Utf8(JsonObject document) => System.Text.Encoding.UTF8.GetBytes(document.ToJsonString(MiniKube.ApiServer.Registry.ObjectCodec.Compact) + "\n");
}
