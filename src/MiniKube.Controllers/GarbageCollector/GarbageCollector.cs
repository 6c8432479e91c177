using System.Collections.Concurrent;
using k8s.Models;

namespace MiniKube.Controllers.GarbageCollector;

/// <summary>One object the collector looks at: its kind, namespace ("" when cluster-scoped) and name.</summary>
public readonly record struct GcItem(GcKind Kind, string Namespace, string Name)
{
    public string? NamespaceOrNull => Namespace.Length == 0 ? null : Namespace;

    public static GcItem Of(GcKind kind, IKubernetesObject<V1ObjectMeta> obj)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(obj);
        return new(kind, obj.Metadata.NamespaceProperty ?? "", obj.Metadata.Name);
    }

    public override string ToString() => $"{Kind.Kind} {ObjectKeys.Of(NamespaceOrNull, Name)}";
}

/// <summary>
/// The garbage collector (pkg/controller/garbagecollector/garbagecollector.go), without
/// upstream's dependency graph: the owner-UID index over the informers answers "who depends on
/// this owner", and owners are checked by a cache lookup, confirmed by a live GET before anything
/// is deleted.
/// <list type="bullet">
/// <item>Background (the default): an object whose owners are all gone is deleted; one with
/// another live owner only loses the references to the dead ones.</item>
/// <item>Foreground: the API server gave the owner a deletionTimestamp and the
/// "foregroundDeletion" finalizer; its dependents are deleted (foreground again when they have
/// dependents themselves), and the finalizer is removed once no dependent with
/// blockOwnerDeletion remains, so the API server removes the owner.</item>
/// <item>Orphan: the owner has the "orphan" finalizer; its references are removed from every
/// dependent, then the finalizer.</item>
/// </list>
/// Keys are <see cref="GcItem"/>s; a sync reads the cached object and converges.
/// </summary>
public sealed partial class GarbageCollector : Controller<GcItem>
{
    public const string ForegroundFinalizer = "foregroundDeletion";
    public const string OrphanFinalizer = "orphan";

    private const int MaxAbsentOwners = 10_000;

    private readonly GcKinds _kinds;
    private readonly GcMonitors _monitors;

    // UIDs confirmed gone by a live read (upstream's absentOwnerCache): a UID never comes back, so
    // the many dependents of one deleted owner cost one GET, not one each.
    private readonly ConcurrentDictionary<string, byte> _absentOwners = new(StringComparer.Ordinal);

    public GarbageCollector(ControllerContext context)
        : base(context, "garbagecollector", workers: 5)
    {
        _kinds = new GcKinds(context.Informers);
        foreach (var kind in _kinds.Typed)
        {
            kind.Watch(OnChange);
        }
        _monitors = new GcMonitors(context.Client, _kinds, kind => kind.Watch(OnChange), context.Time, _logger);
    }

    /// <summary>The work queue beside the monitors of discovered resources.</summary>
    public override Task RunAsync(CancellationToken cancellationToken) =>
        RunTogetherAsync(cancellationToken, Queue.RunAsync, _monitors.RunAsync);

    public override Task SyncAsync(GcItem item, CancellationToken cancellationToken) => ProcessAsync(item, cancellationToken);

    private void OnChange(GcKind kind, IKubernetesObject<V1ObjectMeta>? old, IKubernetesObject<V1ObjectMeta>? now)
    {
        if (now is null)
        {
            // Gone: its dependents may be garbage now, and an owner waiting in foreground deletion may be free.
            var gone = old!;
            foreach (var (dependentKind, dependent) in _kinds.DependentsOf(gone.Metadata.Uid))
            {
                Queue.Add(GcItem.Of(dependentKind, dependent));
            }
            foreach (var owner in gone.Metadata.OwnerReferences ?? [])
            {
                if (_kinds.Of(owner.ApiVersion, owner.Kind) is { } ownerKind)
                {
                    Queue.Add(new GcItem(ownerKind, ownerKind.Namespaced ? gone.Metadata.NamespaceProperty ?? "" : "", owner.Name));
                }
            }
            return;
        }
        var interesting = now.Metadata.OwnerReferences is { Count: > 0 } || HasFinalizer(now, ForegroundFinalizer) || HasFinalizer(now, OrphanFinalizer);
        // Updates that change neither owners nor deletion state (status, lease renewals) need no look.
        if (interesting && (old is null || ReferenceEquals(old, now) || OwnersOrDeletionChanged(old, now)))
        {
            Queue.Add(GcItem.Of(kind, now));
        }
    }

    private static bool OwnersOrDeletionChanged(IKubernetesObject<V1ObjectMeta> old, IKubernetesObject<V1ObjectMeta> now) =>
        old.Metadata.DeletionTimestamp != now.Metadata.DeletionTimestamp
        || !(old.Metadata.Finalizers ?? []).SequenceEqual(now.Metadata.Finalizers ?? [])
        || !(old.Metadata.OwnerReferences ?? []).Select(r => (r.Uid, r.BlockOwnerDeletion)).SequenceEqual((now.Metadata.OwnerReferences ?? []).Select(r => (r.Uid, r.BlockOwnerDeletion)));

    private async Task ProcessAsync(GcItem item, CancellationToken cancellationToken)
    {
        var obj = item.Kind.Cached(item.NamespaceOrNull, item.Name);
        if (obj is null)
        {
            return; // gone; its delete event queued whatever depended on it
        }
        if (obj.Metadata.DeletionTimestamp is not null)
        {
            if (HasFinalizer(obj, OrphanFinalizer))
            {
                await OrphanDependentsAsync(item, obj, cancellationToken);
            }
            if (HasFinalizer(obj, ForegroundFinalizer))
            {
                await DeleteDependentsFirstAsync(item, obj, cancellationToken);
            }
            // Being deleted already: nothing more to decide about its own owners (upstream skips it too).
            return;
        }
        if (obj.Metadata.OwnerReferences is { Count: > 0 })
        {
            await AttemptToDeleteAsync(item, obj, cancellationToken);
        }
    }

    /// <summary>attemptToDeleteItem: classify the owners as solid, dangling or waiting for their dependents' deletion, and act.</summary>
    private async Task AttemptToDeleteAsync(GcItem item, IKubernetesObject<V1ObjectMeta> obj, CancellationToken cancellationToken)
    {
        var solid = new List<V1OwnerReference>();
        var dangling = new List<V1OwnerReference>();
        var waiting = new List<V1OwnerReference>();
        foreach (var owner in obj.Metadata.OwnerReferences)
        {
            switch (await OwnerStateAsync(item, owner, cancellationToken))
            {
                case OwnerState.Dangling:
                    dangling.Add(owner);
                    break;
                case OwnerState.WaitingForDependents:
                    waiting.Add(owner);
                    break;
                default:
                    solid.Add(owner);
                    break;
            }
        }
        if (solid.Count > 0)
        {
            if (dangling.Count + waiting.Count > 0)
            {
                // A live owner keeps the object; only the references to the others go.
                await RemoveOwnerReferencesAsync(item, obj, [.. dangling.Concat(waiting).Select(o => o.Uid)], cancellationToken);
            }
            return;
        }
        if (dangling.Count + waiting.Count == 0)
        {
            return;
        }
        // An owner deleting in the foreground waits for this object's own dependents too.
        var policy = waiting.Count > 0 && _kinds.DependentsOf(obj.Metadata.Uid).Any() ? "Foreground" : "Background";
        LogDeleting(item, policy);
        await DeleteAsync(item, obj, policy, cancellationToken);
    }

    private enum OwnerState
    {
        Solid,
        Dangling,
        WaitingForDependents,
    }

    private async Task<OwnerState> OwnerStateAsync(GcItem item, V1OwnerReference reference, CancellationToken cancellationToken)
    {
        var kind = _kinds.Of(reference.ApiVersion, reference.Kind);
        if (kind is null)
        {
            // Not (yet) in discovery, e.g. a CRD established a moment ago: read discovery again and
            // retry later, as upstream resets its REST mapper; never delete for an owner we cannot see.
            _monitors.RequestResync();
            throw new SyncRetryException($"{item}: the kind of owner {reference.ApiVersion} {reference.Kind} {reference.Name} is not served (yet)");
        }
        if (kind.Namespaced && item.Namespace.Length == 0)
        {
            // A namespaced owner of a cluster-scoped object: we cannot tell, so we never delete for it.
            return OwnerState.Solid;
        }
        if (_absentOwners.ContainsKey(reference.Uid))
        {
            return OwnerState.Dangling;
        }
        var ns = kind.Namespaced ? item.NamespaceOrNull : null;
        var owner = kind.Cached(ns, reference.Name);
        if (owner is null || owner.Metadata.Uid != reference.Uid)
        {
            // The cache may lag behind the API (an owner created a moment ago): only the API server's word deletes anything.
            owner = await kind.ReadAsync(Client, ns, reference.Name, cancellationToken);
            if (owner is null || owner.Metadata.Uid != reference.Uid)
            {
                if (_absentOwners.Count >= MaxAbsentOwners)
                {
                    _absentOwners.Clear();
                }
                _absentOwners.TryAdd(reference.Uid, 0);
                return OwnerState.Dangling;
            }
        }
        return owner.Metadata.DeletionTimestamp is not null && HasFinalizer(owner, ForegroundFinalizer)
            ? OwnerState.WaitingForDependents
            : OwnerState.Solid;
    }

    /// <summary>processDeletingDependentsItem: delete the dependents; drop the finalizer once none blocks.</summary>
    private async Task DeleteDependentsFirstAsync(GcItem item, IKubernetesObject<V1ObjectMeta> owner, CancellationToken cancellationToken)
    {
        var uid = owner.Metadata.Uid;
        var blocking = 0;
        foreach (var (kind, dependent) in _kinds.DependentsOf(uid))
        {
            var reference = dependent.Metadata.OwnerReferences.First(r => r.Uid == uid);
            if (reference.BlockOwnerDeletion == true)
            {
                blocking++;
            }
            if (dependent.Metadata.DeletionTimestamp is null)
            {
                Queue.Add(GcItem.Of(kind, dependent));
            }
        }
        if (blocking == 0)
        {
            LogForegroundDone(item);
            await RemoveFinalizerAsync(item, owner, ForegroundFinalizer, cancellationToken);
        }
    }

    /// <summary>orphanDependents: every dependent loses its reference to the owner, then the owner loses the finalizer.</summary>
    private async Task OrphanDependentsAsync(GcItem item, IKubernetesObject<V1ObjectMeta> owner, CancellationToken cancellationToken)
    {
        var uid = owner.Metadata.Uid;
        foreach (var (kind, dependent) in _kinds.DependentsOf(uid).ToList())
        {
            await RemoveOwnerReferencesAsync(GcItem.Of(kind, dependent), dependent, [uid], cancellationToken);
        }
        LogOrphaned(item);
        await RemoveFinalizerAsync(item, owner, OrphanFinalizer, cancellationToken);
    }

    private async Task DeleteAsync(GcItem item, IKubernetesObject<V1ObjectMeta> obj, string policy, CancellationToken cancellationToken)
    {
        try
        {
            await item.Kind.DeleteAsync(Client, item.NamespaceOrNull, item.Name,
                new V1DeleteOptions { PropagationPolicy = policy, Preconditions = new V1Preconditions { Uid = obj.Metadata.Uid } }, cancellationToken);
        }
        catch (HttpOperationException e) when (ApiErrors.IsGoneOrReplaced(e))
        {
            // Already gone, or replaced by a new object of the same name that is not ours to judge here.
        }
    }

    /// <summary>A merge patch of the remaining references, conditional on the version read, so a concurrent change is never lost.</summary>
    private async Task RemoveOwnerReferencesAsync(GcItem item, IKubernetesObject<V1ObjectMeta> obj, IReadOnlyCollection<string> uids, CancellationToken cancellationToken)
    {
        var remaining = (obj.Metadata.OwnerReferences ?? []).Where(r => !uids.Contains(r.Uid)).ToList();
        var patch = MetadataPatch(obj, "ownerReferences", remaining);
        try
        {
            await item.Kind.PatchAsync(Client, item.NamespaceOrNull, item.Name, patch, cancellationToken);
        }
        catch (HttpOperationException e) when (ApiErrors.IsNotFound(e))
        {
            // Gone meanwhile: nothing left to orphan.
        }
    }

    private async Task RemoveFinalizerAsync(GcItem item, IKubernetesObject<V1ObjectMeta> obj, string finalizer, CancellationToken cancellationToken)
    {
        var remaining = (obj.Metadata.Finalizers ?? []).Where(f => f != finalizer).ToList();
        try
        {
            await item.Kind.PatchAsync(Client, item.NamespaceOrNull, item.Name, MetadataPatch(obj, "finalizers", remaining), cancellationToken);
        }
        catch (HttpOperationException e) when (ApiErrors.IsNotFound(e))
        {
            // Gone already.
        }
    }

    private static V1Patch MetadataPatch<TValue>(IKubernetesObject<V1ObjectMeta> obj, string field, TValue value)
    {
        var metadata = new Dictionary<string, object?>
        {
            [field] = value,
            ["uid"] = obj.Metadata.Uid,
            ["resourceVersion"] = obj.Metadata.ResourceVersion,
        };
        return new V1Patch(KubernetesJson.Serialize(new Dictionary<string, object> { ["metadata"] = metadata }), V1Patch.PatchType.MergePatch);
    }

    private static bool HasFinalizer(IKubernetesObject<V1ObjectMeta> obj, string finalizer) =>
        obj.Metadata.Finalizers?.Contains(finalizer) == true;

    [LoggerMessage(EventId = LogEvents.Controllers + 200, Level = LogLevel.Debug, Message = "Deleting {Item}: its owners are gone (propagation {Policy})")]
    private partial void LogDeleting(GcItem item, string policy);

    [LoggerMessage(EventId = LogEvents.Controllers + 201, Level = LogLevel.Debug, Message = "{Item}: no dependent blocks its deletion any more; removing the foregroundDeletion finalizer")]
    private partial void LogForegroundDone(GcItem item);

    [LoggerMessage(EventId = LogEvents.Controllers + 202, Level = LogLevel.Debug, Message = "{Item}: dependents orphaned; removing the orphan finalizer")]
    private partial void LogOrphaned(GcItem item);
}
