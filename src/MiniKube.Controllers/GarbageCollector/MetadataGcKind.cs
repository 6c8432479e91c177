using k8s.Models;
using MiniKube.Client.Dynamic;

namespace MiniKube.Controllers.GarbageCollector;

/// <summary>
/// A <see cref="GcKind"/> for a resource found by discovery that no shared typed informer covers
/// (custom resources, built-ins the client has no informer for): upstream's monitor, a metadata
/// informer of its own over every namespace, and the read, delete and patch calls by path.
/// It lives from <see cref="RunAsync"/> until discovery stops listing the resource.
/// </summary>
public sealed class MetadataGcKind : GcKind
{
    private readonly RawApi _api;
    private readonly DiscoveredResource _resource;
    private readonly Informer<MetadataObject> _informer;

    public MetadataGcKind(RawApi api, DiscoveredResource resource, ILogger logger)
        : base(resource?.GroupVersion ?? throw new ArgumentNullException(nameof(resource)), resource.Resource.Kind, resource.Resource.Namespaced)
    {
        ArgumentNullException.ThrowIfNull(api);
        _api = api;
        _resource = resource;
        _informer = new Informer<MetadataObject>(new MetadataListWatch(api, resource.CollectionPath()), logger);
        SharedIndexes.EnsureOwnerUid(_informer);
    }

    /// <summary>The plural resource name, e.g. "widgets".</summary>
    public string Resource => _resource.Resource.Name;

    /// <summary>Completes once the informer's first list is cached.</summary>
    public Task Synced => _informer.Synced;

    /// <summary>Lists and watches until cancelled.</summary>
    public Task RunAsync(CancellationToken cancellationToken) => _informer.RunAsync(cancellationToken);

    public override IKubernetesObject<V1ObjectMeta>? Cached(string? ns, string name) => _informer.Cache.Get(ns, name);

    public override IReadOnlyList<IKubernetesObject<V1ObjectMeta>> DependentsOf(string ownerUid) => _informer.Cache.ByIndex(CacheIndexes.ByOwnerUid, ownerUid);

    public override async Task<IKubernetesObject<V1ObjectMeta>?> ReadAsync(IKubernetes client, string? ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            return KubernetesJson.Deserialize<MetadataObject>(await _api.SendAsync(HttpMethod.Get, ObjectPath(ns, name), null, cancellationToken));
        }
        catch (HttpOperationException e) when (ApiErrors.IsNotFound(e))
        {
            return null;
        }
    }

    public override Task DeleteAsync(IKubernetes client, string? ns, string name, V1DeleteOptions options, CancellationToken cancellationToken) =>
        _api.SendAsync(HttpMethod.Delete, ObjectPath(ns, name), KubernetesJson.Serialize(options), cancellationToken);

    public override Task PatchAsync(IKubernetes client, string? ns, string name, V1Patch patch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(patch);
        // The collector's patches are JSON merge patches of metadata, which every resource accepts (a strategic merge patch would be refused by a custom one).
        return _api.SendAsync(HttpMethod.Patch, ObjectPath(ns, name), (string)patch.Content, cancellationToken, "application/merge-patch+json");
    }

    public override void Watch(Action<GcKind, IKubernetesObject<V1ObjectMeta>?, IKubernetesObject<V1ObjectMeta>?> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _informer.AddHandler(change => handler(this, change.Old, change.New));
    }

    private string ObjectPath(string? ns, string name) =>
        $"{_resource.CollectionPath(Namespaced ? ns : null)}/{Uri.EscapeDataString(name)}";
}
