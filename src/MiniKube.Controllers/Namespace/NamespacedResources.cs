using System.Net;
using System.Text.Json;
using k8s.Models;
using MiniKube.Client.Dynamic;

namespace MiniKube.Controllers.Namespace;

/// <summary>One namespaced resource found by discovery, e.g. ("apps/v1", "deployments").</summary>
/// <param name="GroupVersion">"v1" for core, else "group/version".</param>
/// <param name="Name">Plural resource name.</param>
/// <param name="DeleteCollection">True when the resource serves deletecollection.</param>
public sealed record NamespacedResource(string GroupVersion, string Name, bool DeleteCollection)
{
    /// <summary>The collection's path in a namespace.</summary>
    public string Path(string ns) => (GroupVersion.Contains('/', StringComparison.Ordinal) ? "apis/" : "api/") + $"{GroupVersion}/namespaces/{ns}/{Name}";
}

/// <summary>
/// Discovery and bulk deletion of namespaced content through the API, for resources the client
/// has no typed operations for (upstream: the discovery client plus the metadata client of
/// namespaced_resources_deleter.go). Every group's preferred version is used.
/// </summary>
internal sealed class NamespacedResources(IKubernetes client)
{
    private readonly RawApi _api = new(client);

    private static readonly string BackgroundDelete = KubernetesJson.Serialize(new V1DeleteOptions { PropagationPolicy = "Background" });

    /// <summary>The namespaced resources that can be listed and deleted (subresources left out).</summary>
    public async Task<IReadOnlyList<NamespacedResource>> DiscoverAsync(CancellationToken cancellationToken)
    {
        var (resources, failed) = await ApiDiscovery.PreferredResourcesAsync(client, _api, cancellationToken);
        if (failed.Count > 0)
        {
            // Content of a group we cannot see may remain: never finalize (or count) on partial discovery.
            throw new SyncRetryException($"discovery failed for {string.Join(", ", failed)}");
        }
        return [.. resources
            .Where(r => r.Resource.Namespaced && !r.IsSubresource && r.Serves("list") && (r.Serves("delete") || r.Serves("deletecollection")))
            .Select(r => new NamespacedResource(r.GroupVersion, r.Resource.Name, r.Serves("deletecollection")))];
    }

    /// <summary>
    /// Deletes the resource's objects in <paramref name="ns"/> (in the background, as upstream)
    /// and returns how many are still there afterwards.
    /// </summary>
    public async Task<int> DeleteContentAsync(NamespacedResource resource, string ns, CancellationToken cancellationToken)
    {
        var path = resource.Path(ns);
        if (resource.DeleteCollection)
        {
            await SendAsync(HttpMethod.Delete, path, BackgroundDelete, cancellationToken);
        }
        else
        {
            foreach (var (name, deleting) in await ListAsync(path, cancellationToken))
            {
                if (deleting)
                {
                    continue;
                }
                try
                {
                    await SendAsync(HttpMethod.Delete, $"{path}/{Uri.EscapeDataString(name)}", BackgroundDelete, cancellationToken);
                }
                catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
                {
                    // Gone or changed meanwhile; the count below sees the truth.
                }
            }
        }
        return (await ListAsync(path, cancellationToken)).Count;
    }

    /// <summary>How many objects of the resource <paramref name="ns"/> holds (the quota controller's object counts).</summary>
    public async Task<int> CountAsync(NamespacedResource resource, string ns, CancellationToken cancellationToken) =>
        (await ListAsync(resource.Path(ns), cancellationToken)).Count;

    private async Task<List<(string Name, bool Deleting)>> ListAsync(string path, CancellationToken cancellationToken)
    {
        using var list = JsonDocument.Parse(await SendAsync(HttpMethod.Get, path, null, cancellationToken));
        return [.. list.RootElement.GetProperty("items").EnumerateArray().Select(item =>
        {
            var metadata = item.GetProperty("metadata");
            return (metadata.GetProperty("name").GetString() ?? "", metadata.TryGetProperty("deletionTimestamp", out var ts) && ts.ValueKind != JsonValueKind.Null);
        })];
    }

    private Task<string> SendAsync(HttpMethod method, string path, string? body, CancellationToken cancellationToken) =>
        _api.SendAsync(method, path, body, cancellationToken);
}
