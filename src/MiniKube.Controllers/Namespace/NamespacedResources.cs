using System.Net;
using System.Text;
using System.Text.Json;
using k8s.Models;

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
    private static readonly string BackgroundDelete = KubernetesJson.Serialize(new V1DeleteOptions { PropagationPolicy = "Background" });

    /// <summary>The namespaced resources that can be listed and deleted (subresources left out).</summary>
    public async Task<IReadOnlyList<NamespacedResource>> DiscoverAsync(CancellationToken cancellationToken)
    {
        var lists = new List<V1APIResourceList> { await client.CoreV1.GetAPIResourcesAsync(cancellationToken) };
        var groups = await client.Apis.GetAPIVersionsAsync(cancellationToken);
        foreach (var group in groups.Groups ?? [])
        {
            var version = group.PreferredVersion?.GroupVersion ?? group.Versions.First().GroupVersion;
            lists.Add(KubernetesJson.Deserialize<V1APIResourceList>(await SendAsync(HttpMethod.Get, $"apis/{version}", null, cancellationToken)));
        }
        return [.. lists.SelectMany(list => (list.Resources ?? [])
            .Where(r => r.Namespaced && !r.Name.Contains('/', StringComparison.Ordinal) && r.Verbs.Contains("list") && (r.Verbs.Contains("delete") || r.Verbs.Contains("deletecollection")))
            .Select(r => new NamespacedResource(list.GroupVersion, r.Name, r.Verbs.Contains("deletecollection"))))];
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

    private async Task<string> SendAsync(HttpMethod method, string path, string? body, CancellationToken cancellationToken)
    {
        // The typed client has no operation for an arbitrary resource; send with its own HTTP
        // client and credentials, so authentication is the same as for every other call.
        var kube = client as Kubernetes ?? throw new NotSupportedException("namespace cleanup needs a k8s.Kubernetes client");
        var baseUri = kube.BaseUri.ToString();
        using var request = new HttpRequestMessage(method, new Uri(baseUri.EndsWith('/') ? baseUri + path : $"{baseUri}/{path}"));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }
        if (kube.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken);
        }
        using var response = await kube.HttpClient.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpOperationException($"{method} {path}: {(int)response.StatusCode} {text}")
            {
                Request = new HttpRequestMessageWrapper(request, body),
                Response = new HttpResponseMessageWrapper(response, text),
            };
        }
        return text;
    }
}
