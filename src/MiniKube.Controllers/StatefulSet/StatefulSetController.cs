using System.Net;
using k8s.Models;

namespace MiniKube.Controllers.StatefulSet;

/// <summary>
/// The statefulset controller (pkg/controller/statefulset/stateful_set_control.go): pods
/// "&lt;set&gt;-0" … "&lt;set&gt;-(n-1)" with stable hostnames and claims made before each pod.
/// OrderedReady creates ordinal i only when every lower one is Running and Ready, and removes
/// the highest ordinal first, one at a time, only while the others are healthy; Parallel does
/// both at once. RollingUpdate deletes, from the highest ordinal down to the partition, one pod
/// whose revision is not the update revision at a time, waiting for each to come back healthy;
/// OnDelete leaves that to the user. Claims are kept on scale-down (retention Retain).
/// Status: replicas, ready, available, current and updated counts, and current/update revisions
/// (current becomes update once every pod is updated and ready), as kubectl rollout status reads them.
/// </summary>
public sealed partial class StatefulSetController : Controller<NamespacedName>
{
    private readonly Informer<V1StatefulSet> _sets;
    private readonly Informer<V1Pod> _pods;
    private readonly Informer<V1PersistentVolumeClaim> _claims;
    private readonly ControllerHistory _history;

    public StatefulSetController(ControllerContext context)
        : base(context, "statefulset", workers: 2, eventSource: "statefulset-controller")
    {
        _history = new ControllerHistory(Client, context.Informers.ControllerRevisions.EnqueueControllers(Queue, "StatefulSet").Cache);
        _sets = context.Informers.StatefulSets.EnqueueKeys(Queue);
        _pods = context.Informers.Pods.EnqueueControllers(Queue, "StatefulSet");
        _claims = context.Informers.PersistentVolumeClaims;
    }

    /// <summary>Converges the StatefulSet at <paramref name="key"/>; failures are retried through the queue.</summary>
    public override async Task SyncAsync(NamespacedName key, CancellationToken cancellationToken)
    {
        if (_sets.Cache.Get(key) is not { } set || set.Metadata.DeletionTimestamp is not null)
        {
            return;
        }
        await SyncSetAsync(key, set, cancellationToken);
    }

    private async Task SyncSetAsync(NamespacedName key, V1StatefulSet set, CancellationToken cancellationToken)
    {
        var ns = set.Metadata.NamespaceProperty;
        var uid = set.Metadata.Uid;
        var now = Time.GetUtcNow();
        var revisions = _history.ListOwned(set);
        var update = await _history.EnsureCurrentAsync(set, "apps/v1", "StatefulSet", set.Spec.Template, set.Status?.CollisionCount, revisions, cancellationToken);
        var current = revisions.FirstOrDefault(r => r.Metadata.Name == set.Status?.CurrentRevision) ?? update;

        var pods = _pods.Cache.ListNamespace(ns, LabelSelector.From(set.Spec.Selector))
            .Where(p => ControllerRefs.IsControlledBy(p, uid) && StatefulPods.OrdinalOf(set, p) is not null)
            .ToDictionary(p => StatefulPods.OrdinalOf(set, p)!.Value);
        var step = new StatefulStep(set, pods, current, update, now);
        foreach (var action in step.Plan())
        {
            if (action.Create is { } ordinal)
            {
                await CreateAsync(set, ordinal, step.RevisionFor(ordinal), cancellationToken);
            }
            else
            {
                await DeleteAsync(set, action.Delete!, cancellationToken);
            }
        }

        var status = step.Status();
        await _history.TruncateAsync(revisions.Where(r => r.Metadata.Name != update.Metadata.Name && r.Metadata.Name != status.CurrentRevision).ToList(),
            pods.Values.Select(p => ControllerHistory.HashLabelOf(p) ?? ""),
            new HashSet<string>(StringComparer.Ordinal) { update.Metadata.Name, status.CurrentRevision },
            set.Spec.RevisionHistoryLimit ?? 10, cancellationToken);
        await WriteStatusAsync(set, status, cancellationToken);
        if (step.NextAvailabilityCheck() is { } wait)
        {
            Queue.AddAfter(key, wait);
        }
    }

    /// <summary>Creates the pod's missing claims, then the pod (upstream CreateStatefulPod); a pod or claim that already exists is fine.</summary>
    private async Task CreateAsync(V1StatefulSet set, int ordinal, V1ControllerRevision revision, CancellationToken cancellationToken)
    {
        var ns = set.Metadata.NamespaceProperty;
        var pod = StatefulPods.New(set, ControllerHistory.TemplateOf(revision), ordinal, revision.Metadata.Name);
        foreach (var claim in StatefulPods.Claims(set, ordinal))
        {
            if (_claims.Cache.Get(ns, claim.Metadata.Name) is not null)
            {
                continue;
            }
            await CreateRecordedAsync(set, () => Client.CoreV1.CreateNamespacedPersistentVolumeClaimAsync(claim, ns, cancellationToken: cancellationToken),
                $"create Claim {claim.Metadata.Name} Pod {pod.Metadata.Name} in StatefulSet {set.Metadata.Name} success",
                $"create Claim {claim.Metadata.Name} for Pod {pod.Metadata.Name} in StatefulSet {set.Metadata.Name}");
        }
        await CreateRecordedAsync(set, () => Client.CoreV1.CreateNamespacedPodAsync(pod, ns, cancellationToken: cancellationToken),
            $"create Pod {pod.Metadata.Name} in StatefulSet {set.Metadata.Name} successful",
            $"create Pod {pod.Metadata.Name} in StatefulSet {set.Metadata.Name}");
    }

    /// <summary>
    /// One create for the set with upstream's SuccessfulCreate or FailedCreate event (the texts of
    /// stateful_set_control.go). A 409 is an earlier sync's object that the cache does not show
    /// yet: names are fixed, so nothing is made twice.
    /// </summary>
    private async Task CreateRecordedAsync(V1StatefulSet set, Func<Task> create, string success, string attempt)
    {
        try
        {
            await create();
            Events.Record(set, EventTypes.Normal, "SuccessfulCreate", success);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Already made by an earlier sync; the cache will show it.
        }
        catch (HttpOperationException e)
        {
            Events.Record(set, EventTypes.Warning, "FailedCreate", $"{attempt} failed error: {ApiErrors.StatusMessage(e)}");
            throw;
        }
    }

    private async Task DeleteAsync(V1StatefulSet set, V1Pod pod, CancellationToken cancellationToken)
    {
        try
        {
            await Client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty,
                new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid } }, cancellationToken: cancellationToken);
            Events.Record(set, EventTypes.Normal, "SuccessfulDelete", $"delete Pod {pod.Metadata.Name} in StatefulSet {set.Metadata.Name} successful");
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
            // Gone already (or replaced under the same name).
        }
        catch (HttpOperationException e)
        {
            Events.Record(set, EventTypes.Warning, "FailedDelete", $"delete Pod {pod.Metadata.Name} in StatefulSet {set.Metadata.Name} failed error: {ApiErrors.StatusMessage(e)}");
            throw;
        }
    }

    private async Task WriteStatusAsync(V1StatefulSet set, V1StatefulSetStatus status, CancellationToken cancellationToken)
    {
        status.CollisionCount = set.Status?.CollisionCount;
        status.Conditions = set.Status?.Conditions;
        if (KubernetesJson.Serialize(status) == KubernetesJson.Serialize(set.Status ?? new V1StatefulSetStatus()))
        {
            return;
        }
        var updated = ObjectCopy.Clone(set);
        updated.Status = status;
        await Client.AppsV1.ReplaceNamespacedStatefulSetStatusAsync(updated, set.Metadata.Name, set.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
    }
}
