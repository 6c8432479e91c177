using k8s.Models;

namespace MiniKube.Controllers.GarbageCollector;

/// <summary>
/// One kind the garbage collector tracks, as owner and as dependent (upstream discovers every
/// deletable resource and watches it through metadata informers; we list the kinds we serve):
/// its informer's cache with the owner-UID index, and the three API calls the collector makes
/// on it — a live read, a delete with options, and a JSON merge patch of its metadata.
/// </summary>
public abstract class GcKind(string apiVersion, string kind, bool namespaced)
{
    public string ApiVersion { get; } = apiVersion;

    public string Kind { get; } = kind;

    public bool Namespaced { get; } = namespaced;

    /// <summary>The API group ("" for core), which with <see cref="Kind"/> identifies the kind in owner references of any version.</summary>
    public string Group => ApiVersion.Contains('/', StringComparison.Ordinal) ? ApiVersion[..ApiVersion.IndexOf('/', StringComparison.Ordinal)] : "";

    public abstract IKubernetesObject<V1ObjectMeta>? Cached(string? ns, string name);

    /// <summary>The cached objects with an owner reference to <paramref name="ownerUid"/>.</summary>
    public abstract IReadOnlyList<IKubernetesObject<V1ObjectMeta>> DependentsOf(string ownerUid);

    /// <summary>The object as the API server has it now, or null when it does not exist.</summary>
    public abstract Task<IKubernetesObject<V1ObjectMeta>?> ReadAsync(IKubernetes client, string? ns, string name, CancellationToken cancellationToken);

    public abstract Task DeleteAsync(IKubernetes client, string? ns, string name, V1DeleteOptions options, CancellationToken cancellationToken);

    public abstract Task PatchAsync(IKubernetes client, string? ns, string name, V1Patch patch, CancellationToken cancellationToken);

    /// <summary>Calls <paramref name="handler"/> with every change of this kind (the collector's handler only enqueues).</summary>
    public abstract void Watch(Action<GcKind, IKubernetesObject<V1ObjectMeta>?, IKubernetesObject<V1ObjectMeta>?> handler);
}

/// <summary>A <see cref="GcKind"/> over one typed informer and the generated client calls for <typeparamref name="T"/>.</summary>
public sealed class GcKind<T> : GcKind
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly Informer<T> _informer;
    private readonly Func<IKubernetes, string?, string, CancellationToken, Task<T>> _read;
    private readonly Func<IKubernetes, string?, string, V1DeleteOptions, CancellationToken, Task> _delete;
    private readonly Func<IKubernetes, string?, string, V1Patch, CancellationToken, Task> _patch;

    public GcKind(
        Informer<T> informer,
        string apiVersion,
        string kind,
        bool namespaced,
        Func<IKubernetes, string?, string, CancellationToken, Task<T>> read,
        Func<IKubernetes, string?, string, V1DeleteOptions, CancellationToken, Task> delete,
        Func<IKubernetes, string?, string, V1Patch, CancellationToken, Task> patch)
        : base(apiVersion, kind, namespaced)
    {
        ArgumentNullException.ThrowIfNull(informer);
        _informer = informer;
        _read = read;
        _delete = delete;
        _patch = patch;
        SharedIndexes.EnsureOwnerUid(informer);
    }

    public override IKubernetesObject<V1ObjectMeta>? Cached(string? ns, string name) => _informer.Cache.Get(ns, name);

    public override IReadOnlyList<IKubernetesObject<V1ObjectMeta>> DependentsOf(string ownerUid) => _informer.Cache.ByIndex(CacheIndexes.ByOwnerUid, ownerUid);

    public override async Task<IKubernetesObject<V1ObjectMeta>?> ReadAsync(IKubernetes client, string? ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await _read(client, ns, name, cancellationToken);
        }
        catch (HttpOperationException e) when (ApiErrors.IsNotFound(e))
        {
            return null;
        }
    }

    public override async Task DeleteAsync(IKubernetes client, string? ns, string name, V1DeleteOptions options, CancellationToken cancellationToken)
    {
        try
        {
            await _delete(client, ns, name, options, cancellationToken);
        }
        catch (System.Text.Json.JsonException)
        {
            // The delete was done (2xx); only its answer was a Status where the generated client
            // expects the object (Service, ServiceAccount …), which is all we would have read.
        }
    }

    public override Task PatchAsync(IKubernetes client, string? ns, string name, V1Patch patch, CancellationToken cancellationToken) =>
        _patch(client, ns, name, patch, cancellationToken);

    public override void Watch(Action<GcKind, IKubernetesObject<V1ObjectMeta>?, IKubernetesObject<V1ObjectMeta>?> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _informer.AddHandler(change => handler(this, change.Old, change.New));
    }
}
