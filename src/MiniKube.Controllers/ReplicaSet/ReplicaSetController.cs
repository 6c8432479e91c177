using k8s.Models;

namespace MiniKube.Controllers.ReplicaSet;

/// <summary>
/// The replicaset controller (pkg/controller/replicaset/replica_set.go), which also runs
/// ReplicationControllers (<see cref="ForReplicationControllers"/>) through one sync, as
/// upstream does. A sync claims the active pods of the namespace (adopting matching orphans,
/// releasing owned pods whose labels no longer match), then — once the expectations of its last
/// sync were met and the set is not being deleted — creates missing pods in slow-start batches
/// (1, 2, 4, …, at most 500 per sync; the first failure ends it) or deletes the surplus in
/// upstream's order (<see cref="PodDeletionOrder"/>), and finally writes status. Invariant: no
/// second round of creates or deletes before the informer has seen the first (or five minutes
/// pass), so a lagging cache never doubles a scale.
/// </summary>
public sealed partial class ReplicaSetController : Controller<NamespacedName>
{
    /// <summary>Upstream's BurstReplicas: the most pods one sync creates or deletes.</summary>
    public const int BurstReplicas = 500;

    private const int Workers = 5;

    private readonly ReplicaKind _kind;
    private readonly Informer<V1Pod> _pods;
    private readonly PodControl _podControl;
    private readonly Expectations _expectations;

    public ReplicaSetController(ControllerContext context)
        : this(context, new ReplicaSets(Check(context).Client, context.Informers.ReplicaSets))
    {
    }

    private ReplicaSetController(ControllerContext context, ReplicaKind kind)
        : base(context, kind.ControllerName, Workers)
    {
        _kind = kind;
        // As upstream's replicaset controller: deletes by name alone; a create refused by a terminating namespace counts as done.
        _podControl = new PodControl(Client, context.Events(kind.Component)) { NamespaceTerminatingCountsAsDone = true, DeleteOnlySameUid = false };
        _expectations = new Expectations(Time);
        _pods = context.Informers.Pods;
        _kind.OnChange(OnOwnerChange);
        _pods.AddHandler(OnPodChange);
    }

    /// <summary>The replicationcontroller controller: the same loop over ReplicationControllers (pkg/controller/replication).</summary>
    public static ReplicaSetController ForReplicationControllers(ControllerContext context) =>
        new(context, new ReplicationControllers(Check(context).Client, context.Informers.ReplicationControllers));

    /// <summary>Converges the object at <paramref name="key"/> ("namespace/name"); failures are retried through the queue.</summary>
    public override async Task SyncAsync(NamespacedName key, CancellationToken cancellationToken)
    {
        var rs = _kind.Get(key);
        if (rs is null)
        {
            _expectations.Delete(key);
            return;
        }
        LabelSelector selector;
        try
        {
            selector = LabelSelector.From(rs.Spec.Selector);
        }
        catch (ArgumentException e)
        {
            // An invalid selector will not become valid by retrying; the next update of the object brings it back.
            LogInvalidSelector(_kind.Kind, key, e.Message);
            return;
        }
        if (await SyncAsync(key, rs, selector, cancellationToken) is { } manageError)
        {
            // Already in status (ReplicaFailure) and in a FailedCreate/FailedDelete event: try again with back-off.
            throw new SyncRetryException(manageError);
        }
    }

    /// <summary>One sync; the first error of creating or deleting pods (status then says so), or null.</summary>
    private async Task<string?> SyncAsync(NamespacedName key, V1ReplicaSet rs, LabelSelector selector, CancellationToken cancellationToken)
    {
        var needsSync = _expectations.Satisfied(key);
        // All pods of the namespace, not only matching ones: owned pods whose labels changed must be released.
        var active = _pods.Cache.ListNamespace(rs.Metadata.NamespaceProperty).Where(PodReadiness.IsActive);
        var claims = new ControllerRefManager<V1Pod>(rs, _kind.ControllerRef(rs), selector,
            async ct => await _kind.ReadAsync(rs, ct),
            (pod, patch, ct) => Client.CoreV1.PatchNamespacedPodAsync(patch, pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct));
        var pods = await claims.ClaimAsync(active, cancellationToken);

        string? manageError = null;
        if (needsSync && rs.Metadata.DeletionTimestamp is null)
        {
            manageError = await ManageReplicasAsync(key, rs, pods, cancellationToken);
        }

        var status = ReplicaSetStatusCalculator.Calculate(rs, pods, manageError, Time.GetUtcNow());
        var updated = rs;
        if (ReplicaSetStatusCalculator.NeedsUpdate(rs, status))
        {
            var copy = ObjectCopy.Clone(rs);
            status.ObservedGeneration = rs.Metadata.Generation;
            copy.Status = status;
            updated = await _kind.UpdateStatusAsync(copy, cancellationToken);
        }

        // Pods that are Ready but not yet available become available by the clock alone: look again then.
        var minReadySeconds = updated.Spec.MinReadySeconds ?? 0;
        var replicas = updated.Spec.Replicas ?? 1;
        if (manageError is null && minReadySeconds > 0
            && (updated.Status?.ReadyReplicas ?? 0) == replicas && (updated.Status?.AvailableReplicas ?? 0) != replicas)
        {
            Queue.AddAfter(key, TimeSpan.FromSeconds(minReadySeconds));
        }
        return manageError;
    }

    /// <summary>Creates or deletes pods towards spec.replicas; the first error's message, or null.</summary>
    private async Task<string?> ManageReplicasAsync(NamespacedName key, V1ReplicaSet rs, List<V1Pod> pods, CancellationToken cancellationToken)
    {
        var diff = pods.Count - (rs.Spec.Replicas ?? 1);
        if (diff < 0)
        {
            var toCreate = Math.Min(-diff, BurstReplicas);
            LogTooFew(_kind.Kind, key, rs.Spec.Replicas ?? 1, toCreate);
            var controllerRef = _kind.ControllerRef(rs);
            var (_, error) = await _expectations.CreateAsync(key, toCreate, _ => _podControl.CreateAsync(
                rs.Metadata.NamespaceProperty, PodControl.FromTemplate(rs.Spec.Template, controllerRef, rs.Metadata.Name + "-"), rs, cancellationToken));
            return error;
        }
        if (diff > 0)
        {
            var toDelete = Math.Min(diff, BurstReplicas);
            LogTooMany(_kind.Kind, key, rs.Spec.Replicas ?? 1, toDelete);
            var victims = PodDeletionOrder.PodsToDelete(pods, RelatedPods(rs), toDelete, Time.GetUtcNow());
            _expectations.ExpectDeletions(key, [.. victims.Select(NamespacedName.Of)]);
            var errors = await Task.WhenAll(victims.Select(async pod =>
            {
                var error = await _podControl.DeleteAsync(pod, rs, cancellationToken);
                if (error is not null)
                {
                    // The informer will not see this one go.
                    _expectations.DeletionObserved(key, NamespacedName.Of(pod));
                }
                return error;
            }));
            return errors.FirstOrDefault(e => e is not null);
        }
        return null;
    }

    /// <summary>The pods of every set with the same controller (a Deployment's other ReplicaSets), to rank doubled-up nodes.</summary>
    private List<V1Pod> RelatedPods(V1ReplicaSet rs)
    {
        if (ControllerRefs.ControllerOf(rs) is not { } owner)
        {
            return [];
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var related = new List<V1Pod>();
        foreach (var sibling in _kind.ListNamespace(rs.Metadata.NamespaceProperty).Where(s => ControllerRefs.IsControlledBy(s, owner.Uid)))
        {
            LabelSelector selector;
            try
            {
                selector = LabelSelector.From(sibling.Spec.Selector);
            }
            catch (ArgumentException)
            {
                continue;
            }
            related.AddRange(_pods.Cache.ListNamespace(rs.Metadata.NamespaceProperty, selector).Where(p => seen.Add(p.Metadata.Uid)));
        }
        return related;
    }

    private void OnOwnerChange(ObjectChange<V1ReplicaSet> change)
    {
        if (change.IsDelete)
        {
            _expectations.Delete(change.Name);
        }
        Queue.Add(change.Name);
    }

    // pkg/controller/replicaset/replica_set.go addPod/updatePod/deletePod: owned pods wake their
    // owner and settle its expectations; orphans wake every set that could adopt them.
    private void OnPodChange(ObjectChange<V1Pod> change)
    {
        if (change.IsDelete)
        {
            PodGone(change.Old!);
            return;
        }
        var pod = change.New!;
        if (change.IsResync)
        {
            if (OwnerKey(pod) is { } key)
            {
                Queue.Add(key);
            }
            return;
        }
        if (change.IsAdd)
        {
            if (pod.Metadata.DeletionTimestamp is not null)
            {
                // A restarted controller may first see a pod already on its way out.
                PodGone(pod);
                return;
            }
            if (ControllerRefs.ControllerOf(pod) is not null)
            {
                if (OwnerKey(pod) is { } owner)
                {
                    _expectations.CreationObserved(owner);
                    Queue.Add(owner);
                }
                return;
            }
            EnqueueCandidates(pod);
            return;
        }

        var old = change.Old!;
        var labelsChanged = !SameLabels(old, pod);
        if (pod.Metadata.DeletionTimestamp is not null)
        {
            // Graceful deletion: the pod is gone for us now, even though the object stays a while.
            PodGone(pod);
            if (labelsChanged)
            {
                PodGone(old);
            }
            return;
        }
        var oldRef = ControllerRefs.ControllerOf(old);
        var newRef = ControllerRefs.ControllerOf(pod);
        var refChanged = oldRef?.Uid != newRef?.Uid;
        if (refChanged && oldRef is not null && OwnerKey(old) is { } previous)
        {
            Queue.Add(previous);
        }
        if (newRef is not null)
        {
            if (OwnerKey(pod) is { } owner)
            {
                Queue.Add(owner);
                var minReadySeconds = _kind.Get(owner)?.Spec.MinReadySeconds ?? 0;
                if (!PodReadiness.IsReady(old) && PodReadiness.IsReady(pod) && minReadySeconds > 0)
                {
                    Queue.AddAfter(owner, TimeSpan.FromSeconds(minReadySeconds + 1));
                }
            }
            return;
        }
        if (labelsChanged || refChanged)
        {
            EnqueueCandidates(pod);
        }
    }

    private void PodGone(V1Pod pod)
    {
        if (OwnerKey(pod) is { } owner)
        {
            _expectations.DeletionObserved(owner, NamespacedName.Of(pod));
            Queue.Add(owner);
        }
    }

    /// <summary>The key of the set of our kind that controls <paramref name="pod"/>, if it is cached with the same uid.</summary>
    private NamespacedName? OwnerKey(V1Pod pod)
    {
        if (ControllerRefs.ControllerOf(pod) is not { } owner || owner.Kind != _kind.Kind)
        {
            return null;
        }
        var key = new NamespacedName(pod.Metadata.NamespaceProperty, owner.Name);
        return _kind.Get(key)?.Metadata.Uid == owner.Uid ? key : null;
    }

    private void EnqueueCandidates(V1Pod pod)
    {
        foreach (var rs in _kind.ListNamespace(pod.Metadata.NamespaceProperty))
        {
            if (AdoptionSelectors.CouldAdopt(rs.Spec.Selector, pod))
            {
                Queue.Add(NamespacedName.Of(rs));
            }
        }
    }

    private static bool SameLabels(V1Pod a, V1Pod b)
    {
        var x = a.Metadata.Labels ?? new Dictionary<string, string>();
        var y = b.Metadata.Labels ?? new Dictionary<string, string>();
        return x.Count == y.Count && x.All(p => y.TryGetValue(p.Key, out var v) && v == p.Value);
    }

    private static ControllerContext Check(ControllerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context;
    }

    [LoggerMessage(EventId = LogEvents.Controllers + 0, Level = LogLevel.Warning, Message = "{Kind} {Key} has an invalid selector: {Reason}")]
    private partial void LogInvalidSelector(string kind, NamespacedName key, string reason);

    [LoggerMessage(EventId = LogEvents.Controllers + 2, Level = LogLevel.Debug, Message = "Too few replicas for {Kind} {Key}: need {Replicas}, creating {Count}")]
    private partial void LogTooFew(string kind, NamespacedName key, int replicas, int count);

    [LoggerMessage(EventId = LogEvents.Controllers + 3, Level = LogLevel.Debug, Message = "Too many replicas for {Kind} {Key}: need {Replicas}, deleting {Count}")]
    private partial void LogTooMany(string kind, NamespacedName key, int replicas, int count);
}
