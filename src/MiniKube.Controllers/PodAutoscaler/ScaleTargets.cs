using System.Collections.Concurrent;
using k8s.Models;
using MiniKube.Client.Dynamic;

namespace MiniKube.Controllers.PodAutoscaler;

/// <summary>A scale subresource read from a target, with the resource path it was read at (for the update).</summary>
public sealed record TargetScale(V1Scale Scale, string Path);

/// <summary>
/// The scale subresource of any scalable kind (client-go's scale client with a discovery
/// RESTMapper, as kube-controller-manager builds them for the HPA): an apiVersion and kind are
/// mapped to their resource through discovery (every version of the group, the preferred one
/// first, as RESTMappings; entries are forgotten after 30 s, as the controller manager resets its
/// mapper), and the scale is read and written at <c>…/RESOURCE/NAME/scale</c> as autoscaling/v1
/// Scale. So Deployments, ReplicaSets, StatefulSets, ReplicationControllers and any custom
/// resource with a scale subresource work alike.
/// </summary>
public sealed class ScaleTargets(IKubernetes client, TimeProvider time)
{
    private static readonly TimeSpan MappingLifetime = TimeSpan.FromSeconds(30);

    private readonly RawApi _api = new(client);
    private readonly ConcurrentDictionary<(string Group, string Kind), (IReadOnlyList<string> Collections, DateTimeOffset Expires)> _mappings = new();

    /// <summary>
    /// scaleForResourceMappings: the scale of <paramref name="reference"/>'s target in
    /// <paramref name="ns"/>, tried at each mapping in turn. Throws <see cref="AutoscalerException"/>
    /// (unknown kind, bad apiVersion) or the first mapping's API error.
    /// </summary>
    public async Task<TargetScale> GetAsync(V2CrossVersionObjectReference reference, string ns, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var collections = await MappingsAsync(GroupOf(reference.ApiVersion), reference.Kind, ns, cancellationToken);
        HttpOperationException? first = null;
        foreach (var collection in collections)
        {
            var path = $"{collection}/{Uri.EscapeDataString(reference.Name)}/scale";
            try
            {
                return new TargetScale(KubernetesJson.Deserialize<V1Scale>(await _api.SendAsync(HttpMethod.Get, path, null, cancellationToken)), path);
            }
            catch (HttpOperationException e)
            {
                first ??= e;
            }
        }
        throw first ?? new HttpOperationException("unrecognized resource");
    }

    /// <summary>Writes <paramref name="scale"/> back with spec.replicas = <paramref name="replicas"/> (a PUT carrying the resourceVersion read).</summary>
    public async Task UpdateAsync(TargetScale scale, int replicas, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scale);
        var updated = ObjectCopy.Clone(scale.Scale);
        updated.Spec ??= new V1ScaleSpec();
        updated.Spec.Replicas = replicas;
        await _api.SendAsync(HttpMethod.Put, scale.Path, KubernetesJson.Serialize(updated), cancellationToken);
    }

    /// <summary>schema.ParseGroupVersion: the group of an apiVersion ("" for core); more than one slash is upstream's error.</summary>
    public static string GroupOf(string? apiVersion)
    {
        var text = apiVersion ?? "";
        var parts = text.Split('/');
        return parts.Length switch
        {
            1 => "",
            2 => parts[0],
            _ => throw new AutoscalerException($"unexpected GroupVersion string: {text}"),
        };
    }

    // The collection paths in ns of every version of group serving kind, the preferred version first.
    private async Task<IReadOnlyList<string>> MappingsAsync(string group, string kind, string ns, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!_mappings.TryGetValue((group, kind), out var cached) || cached.Expires <= now)
        {
            cached = (await DiscoverAsync(group, kind, cancellationToken), now + MappingLifetime);
            _mappings[(group, kind)] = cached;
        }
        if (cached.Collections.Count == 0)
        {
            throw new AutoscalerException($"no matches for kind \"{kind}\" in group \"{group}\"");
        }
        return [.. cached.Collections.Select(c => c.Replace("{namespace}", Uri.EscapeDataString(ns), StringComparison.Ordinal))];
    }

    private async Task<IReadOnlyList<string>> DiscoverAsync(string group, string kind, CancellationToken cancellationToken)
    {
        IEnumerable<string> versions;
        if (group.Length == 0)
        {
            versions = ["v1"];
        }
        else
        {
            try
            {
                var apiGroup = KubernetesJson.Deserialize<V1APIGroup>(await _api.SendAsync(HttpMethod.Get, $"apis/{group}", null, cancellationToken));
                var preferred = apiGroup.PreferredVersion?.GroupVersion;
                versions = (apiGroup.Versions ?? []).Select(v => v.GroupVersion).OrderBy(v => v == preferred ? 0 : 1);
            }
            catch (HttpOperationException e) when (ApiErrors.IsNotFound(e))
            {
                return [];
            }
        }
        var collections = new List<string>();
        foreach (var groupVersion in versions)
        {
            var root = group.Length == 0 ? "api/v1" : $"apis/{groupVersion}";
            var resources = KubernetesJson.Deserialize<V1APIResourceList>(await _api.SendAsync(HttpMethod.Get, root, null, cancellationToken));
            var found = resources.Resources?.FirstOrDefault(r => r.Kind == kind && !r.Name.Contains('/', StringComparison.Ordinal));
            if (found is not null)
            {
                collections.Add(found.Namespaced ? $"{root}/namespaces/{{namespace}}/{found.Name}" : $"{root}/{found.Name}");
            }
        }
        return collections;
    }
}
