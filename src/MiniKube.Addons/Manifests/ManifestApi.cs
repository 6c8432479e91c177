using System.Text.Json.Nodes;
using k8s.Autorest;
using MiniKube.Client.Dynamic;

namespace MiniKube.Addons.Manifests;

/// <summary>
/// The API calls of the deploy loop for objects of any kind: which resource serves a kind
/// (discovery per group-version, as k3s' deploy controller asks ServerResourcesForGroupVersion;
/// cached until <see cref="ForgetDiscovery"/>, so a pass asks each group-version once and a new
/// CRD is seen by the next pass), server-side apply under <see cref="FieldManager"/> with
/// conflicts forced (the file is the truth, as <c>kubectl apply --server-side --force-conflicts</c>),
/// and delete with background propagation, as <c>kubectl delete</c>.
/// </summary>
internal sealed class ManifestApi(IKubernetes client, string fieldManager)
{
    private readonly RawApi _raw = new(client);
    private readonly Dictionary<string, IReadOnlyList<V1APIResource>?> _discovery = new(StringComparer.Ordinal);

    public string FieldManager => fieldManager;

    public void ForgetDiscovery() => _discovery.Clear();

    /// <summary>The resource that serves <paramref name="kind"/> in <paramref name="apiVersion"/>, or null when none does (yet).</summary>
    public async Task<V1APIResource?> ResourceAsync(string apiVersion, string kind, CancellationToken cancellationToken)
    {
        if (!_discovery.TryGetValue(apiVersion, out var resources))
        {
            try
            {
                var list = KubernetesJson.Deserialize<V1APIResourceList>(await _raw.SendAsync(HttpMethod.Get, GroupVersionPath(apiVersion), null, cancellationToken));
                resources = list.Resources?.ToList() ?? [];
            }
            catch (HttpOperationException e) when (ApiErrors.IsNotFound(e))
            {
                resources = null;
            }
            _discovery[apiVersion] = resources;
        }
        return resources?.FirstOrDefault(r => r.Kind == kind && !r.Name.Contains('/', StringComparison.Ordinal));
    }

    /// <summary>Applies <paramref name="body"/> as the object <paramref name="target"/> names.</summary>
    /// <exception cref="HttpOperationException">The server refused it.</exception>
    public Task ApplyAsync(ManifestObjectRef target, V1APIResource resource, JsonObject body, CancellationToken cancellationToken) =>
        _raw.SendAsync(HttpMethod.Patch, $"{ObjectPath(target, resource)}?fieldManager={Uri.EscapeDataString(fieldManager)}&force=true",
            body.ToJsonString(), cancellationToken, "application/apply-patch+yaml");

    /// <summary>Deletes the object; nothing to do when it is already gone or its kind is no longer served.</summary>
    /// <exception cref="HttpOperationException">The server refused the delete.</exception>
    public async Task DeleteAsync(ManifestObjectRef target, CancellationToken cancellationToken)
    {
        if (await ResourceAsync(target.ApiVersion, target.Kind, cancellationToken) is not { } resource)
        {
            return;
        }
        try
        {
            await _raw.SendAsync(HttpMethod.Delete, ObjectPath(target, resource), """{"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Background"}""", cancellationToken);
        }
        catch (HttpOperationException e) when (ApiErrors.IsNotFound(e))
        {
            // Already gone: deleted by hand, or with its namespace.
        }
    }

    private static string GroupVersionPath(string apiVersion) =>
        (apiVersion.Contains('/', StringComparison.Ordinal) ? "apis/" : "api/") + apiVersion;

    private static string ObjectPath(ManifestObjectRef target, V1APIResource resource) =>
        GroupVersionPath(target.ApiVersion)
        + (resource.Namespaced ? $"/namespaces/{Uri.EscapeDataString(target.Namespace)}" : "")
        + $"/{resource.Name}/{Uri.EscapeDataString(target.Name)}";
}
