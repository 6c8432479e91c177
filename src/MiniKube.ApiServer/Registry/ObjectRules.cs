using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.ManagedFields;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Strategies;
using MiniKube.Storage;

namespace MiniKube.ApiServer.Registry;

/// <summary>
/// The write path's rules, in kube-apiserver's order: namespace lifecycle admission (no new
/// objects in a missing or terminating namespace), then the kind's <see cref="IResourceStrategy"/>
/// (defaults, preparation, mutating admission), the admission plugins' mutations, the kind's
/// validation, the plugins' validation, then the kind's claims. Knows no kind itself.
/// </summary>
public sealed class ObjectRules(IStore store, ServiceAllocator allocator) : IObjectRules
{
    private static readonly ResourceType Namespaces = ResourceCatalog.Find("", "v1", "namespaces")!;

    // Whether a namespace is terminating, read once per version of it instead of on every create in it.
    private static readonly StoredFacts<NamespaceLifecycle> Lifecycles = new(ns => ObjectMeta.IsDeleting(ns) ? NamespaceLifecycle.Terminating : NamespaceLifecycle.Active);

    /// <summary>Where namespace lookups are answered first (the watch cache); null: always the store.</summary>
    public IListCache? Cache { get; init; }

    /// <summary>Admission plugins, in the order they run (upstream's --enable-admission-plugins order).</summary>
    public IReadOnlyList<IAdmissionPlugin> Plugins { get; init; } = [];

    /// <summary>The resources this server serves now (built-ins and custom resources), for strategies' reads of other resources.</summary>
    public ApiResources Resources { get; init; } = new();

    public async Task PrepareForCreateAsync(ResourceType type, JsonObject obj, FieldOwner? owner, bool dryRun, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(obj);
        if (type.Namespaced)
        {
            await RequireLiveNamespaceAsync(type, obj, cancellationToken);
        }
        var strategy = type.Strategy;
        strategy.ApplyDefaults(obj);
        // Ownership is taken of the defaulted request, before admission and the strategy add what
        // nobody asked for (a pod's priority, default tolerations and service account; a Job's
        // generated selector; a namespace's finalizer), as upstream's field manager runs between
        // decoding and admission, and the registry's PrepareForCreate after both.
        TrackOwnership(type, null, obj, null, owner);
        strategy.PrepareForCreate(obj);
        var context = Context(type);
        await strategy.AdmitCreateAsync(obj, context, cancellationToken);
        var admission = Admission(type, AdmissionOperation.Create, null, obj, null, dryRun);
        await AdmitAsync(admission, cancellationToken);
        // Validation runs before anything is claimed so an invalid Service leaks nothing.
        Validate(type, obj, null);
        await ValidateAdmissionAsync(admission, cancellationToken);
        await strategy.BeginWriteAsync(obj, null, context, cancellationToken);
    }

    public async Task PrepareForUpdateAsync(ResourceType type, JsonObject obj, JsonObject old, string? subresource, FieldOwner? owner, bool dryRun, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(old);
        var strategy = type.Strategy;
        strategy.ApplyDefaults(obj);
        switch (subresource)
        {
            case null:
                strategy.PrepareForUpdate(obj, old);
                TrackOwnership(type, old, obj, subresource, owner);
                await AdmitAsync(Admission(type, AdmissionOperation.Update, subresource, obj, old, dryRun), cancellationToken);
                await strategy.BeginWriteAsync(obj, old, Context(type), cancellationToken);
                break;
            case "status":
                strategy.PrepareForStatusUpdate(obj, old);
                TrackOwnership(type, old, obj, subresource, owner);
                await AdmitAsync(Admission(type, AdmissionOperation.Update, subresource, obj, old, dryRun), cancellationToken);
                break;
            case "binding":
                break;
            default:
                strategy.PrepareForSubresourceUpdate(subresource, obj, old);
                TrackOwnership(type, old, obj, subresource, owner);
                await AdmitAsync(Admission(type, AdmissionOperation.Update, subresource, obj, old, dryRun), cancellationToken);
                break;
        }
    }

    public async Task ValidateUpdateAsync(ResourceType type, JsonObject obj, JsonObject old, string? subresource, bool dryRun, CancellationToken cancellationToken)
    {
        Validate(type, obj, old, subresource);
        // A binding is the scheduler's own write, admitted when the pod was (upstream admits
        // pods/binding creates, but no plugin here acts on them).
        if (subresource != "binding")
        {
            await ValidateAdmissionAsync(Admission(type, AdmissionOperation.Update, subresource, obj, old, dryRun), cancellationToken);
        }
    }

    public Task AdmitDeleteAsync(ResourceType type, JsonObject obj, bool dryRun, CancellationToken cancellationToken) =>
        ValidateAdmissionAsync(Admission(type, AdmissionOperation.Delete, null, obj, obj, dryRun), cancellationToken);

    public async Task AdmitSubresourceCreateAsync(ResourceType type, string subresource, JsonObject obj, bool dryRun, CancellationToken cancellationToken)
    {
        var request = Admission(type, AdmissionOperation.Create, subresource, obj, null, dryRun);
        foreach (var plugin in Plugins.Where(p => p.AdmitsSubresourceCreates))
        {
            await plugin.AdmitAsync(request, cancellationToken);
        }
        foreach (var plugin in Plugins.Where(p => p.AdmitsSubresourceCreates))
        {
            await plugin.ValidateAsync(request, cancellationToken);
        }
    }

    private static AdmissionRequest Admission(ResourceType type, AdmissionOperation operation, string? subresource, JsonObject obj, JsonObject? old, bool dryRun) =>
        new(type, operation, subresource, obj, old, dryRun, RequestUser.Current);

    private async Task AdmitAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        foreach (var plugin in Plugins)
        {
            await plugin.AdmitAsync(request, cancellationToken);
        }
    }

    private async Task ValidateAdmissionAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        foreach (var plugin in Plugins)
        {
            await plugin.ValidateAsync(request, cancellationToken);
        }
    }

    // Update operations are recorded here, on what the strategy will store; apply operations
    // computed their managedFields while merging.
    private static void TrackOwnership(ResourceType type, JsonObject? old, JsonObject obj, string? subresource, FieldOwner? owner)
    {
        if (owner is { Operation: ManagerEntry.Update })
        {
            FieldManager.Update(old, obj, owner, FieldShapes.For(type), FieldManager.ResetFields(type.HasStatus, subresource ?? owner.Subresource));
        }
    }

    private static void Validate(ResourceType type, JsonObject obj, JsonObject? old, string? subresource = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(obj);
        var errors = (subresource, old) switch
        {
            // The scheduler's binding sets spec.nodeName, which a pod update may not; upstream's
            // binding storage writes it without update validation too.
            ("binding", _) => [],
            ("status", { } stored) => type.Strategy.ValidateStatusUpdate(obj, stored),
            ({ } other, { } stored) => type.Strategy.ValidateSubresourceUpdate(other, obj, stored),
            (_, { } stored) => type.Strategy.ValidateUpdate(obj, stored),
            _ => type.Strategy.Validate(obj, type.Namespaced),
        };
        if (errors.Count > 0)
        {
            throw ApiException.Invalid(type, ObjectMeta.Name(obj) ?? "", errors);
        }
        type.Strategy.Canonicalize(obj);
    }

    public Task ReleaseAsync(ResourceType type, JsonObject held, JsonObject? kept, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(held);
        return type.Strategy.ReleaseAsync(held, kept, Context(type), cancellationToken);
    }

    private StrategyContext Context(ResourceType type) => new(type, store, allocator, Resources);

    private async Task RequireLiveNamespaceAsync(ResourceType type, JsonObject obj, CancellationToken cancellationToken)
    {
        var ns = ObjectMeta.Namespace(obj) ?? "";
        var key = ResourceRegistry.Key(Namespaces, null, ns);
        // As upstream's NamespaceLifecycle plugin: the namespace from the cache, and a live read
        // only when the cache does not have it (just created, or the cache still loading).
        var kv = Cache?.TryGetCached(Namespaces, key)
            ?? await store.GetAsync(key, 0, cancellationToken)
            ?? throw ApiException.NotFound(Namespaces, ns);
        if (Lifecycles.Of(kv) == NamespaceLifecycle.Terminating)
        {
            throw ApiException.Forbidden(type, ObjectMeta.Name(obj) ?? "",
                $"unable to create new content in namespace {ns} because it is being terminated");
        }
    }

    private sealed class NamespaceLifecycle
    {
        public static readonly NamespaceLifecycle Active = new();
        public static readonly NamespaceLifecycle Terminating = new();
    }

    /// <summary>What a strategy may use of this API server during one write.</summary>
    private sealed class StrategyContext(ResourceType type, IStore store, ServiceAllocator allocator, ApiResources resources) : IStrategyContext
    {
        public IApiResource Resource => type;

        public ServiceAllocator Allocator => allocator;

        public async Task<IReadOnlyList<JsonObject>> ListAsync(string group, string resource, CancellationToken cancellationToken)
        {
            var listed = resources.Find(group, "v1", resource) ?? throw new ArgumentException($"no resource {resource}.{group}", nameof(resource));
            var page = await store.RangeAsync(new RangeRequest(ResourceRegistry.Prefix(listed, null)), cancellationToken);
            return page.Items.Select(kv => ObjectCodec.Decode(kv.Value, kv.ModRevision)).ToList();
        }
    }
}
