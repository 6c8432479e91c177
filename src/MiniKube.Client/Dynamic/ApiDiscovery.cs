using k8s;
using k8s.Autorest;
using k8s.Models;

namespace MiniKube.Client.Dynamic;

/// <summary>One resource discovery lists: its group-version ("v1" for core) and its APIResource entry.</summary>
public sealed record DiscoveredResource(string GroupVersion, V1APIResource Resource)
{
    /// <summary>The API group, "" for core.</summary>
    public string Group => GroupVersion.Contains('/', StringComparison.Ordinal) ? GroupVersion[..GroupVersion.IndexOf('/', StringComparison.Ordinal)] : "";

    /// <summary>True for a subresource entry such as "pods/status".</summary>
    public bool IsSubresource => Resource.Name.Contains('/', StringComparison.Ordinal);

    public bool Serves(string verb) => Resource.Verbs?.Contains(verb) == true;

    /// <summary>The path of the resource's collection: in <paramref name="ns"/>, or across all namespaces (and for cluster-scoped resources) when null.</summary>
    public string CollectionPath(string? ns = null) =>
        (GroupVersion.Contains('/', StringComparison.Ordinal) ? "apis/" : "api/") + GroupVersion
        + (ns is null ? "" : $"/namespaces/{Uri.EscapeDataString(ns)}") + "/" + Resource.Name;
}

/// <summary>
/// The server's resources at each group's preferred version (client-go's
/// discovery.ServerPreferredResources), read over HTTP so groups served later (custom resources,
/// aggregated APIs) are included.
/// </summary>
public static class ApiDiscovery
{
    /// <summary>
    /// Every resource entry, and the group-versions that could not be read (an aggregated API that
    /// is down, a CRD removed meanwhile): upstream goes on with the rest, so callers can too.
    /// </summary>
    public static async Task<(IReadOnlyList<DiscoveredResource> Resources, IReadOnlyList<string> Failed)> PreferredResourcesAsync(
        IKubernetes client, RawApi api, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(api);
        var core = await client.CoreV1.GetAPIResourcesAsync(cancellationToken);
        var resources = (core.Resources ?? []).Select(r => new DiscoveredResource(core.GroupVersion ?? "v1", r)).ToList();
        var failed = new List<string>();
        var groups = await client.Apis.GetAPIVersionsAsync(cancellationToken);
        foreach (var group in groups.Groups ?? [])
        {
            var version = group.PreferredVersion?.GroupVersion ?? group.Versions.First().GroupVersion;
            try
            {
                var list = KubernetesJson.Deserialize<V1APIResourceList>(await api.SendAsync(HttpMethod.Get, $"apis/{version}", null, cancellationToken));
                resources.AddRange((list.Resources ?? []).Select(r => new DiscoveredResource(version, r)));
            }
            catch (HttpOperationException)
            {
                failed.Add(version);
            }
        }
        return (resources, failed);
    }
}
