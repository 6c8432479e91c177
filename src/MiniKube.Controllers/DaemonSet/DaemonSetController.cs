using k8s.Models;

namespace MiniKube.Controllers.DaemonSet;

/// <summary>
/// The daemonset controller (pkg/controller/daemon/daemon_controller.go, update.go): one pod on
/// every node the template's nodeSelector, required node affinity and tolerations (plus the
/// daemon tolerations) admit, pinned there by node affinity for the scheduler to bind; pods on
/// nodes that no longer qualify (or no longer exist) are deleted, failed ones replaced.
/// RollingUpdate replaces pods of older revisions within maxUnavailable, or surges a new pod
/// beside the old one within maxSurge; OnDelete only uses the new template for pods it creates.
/// Templates are recorded as ControllerRevisions; pods carry controller-revision-hash.
/// </summary>
public sealed partial class DaemonSetController : Controller<NamespacedName>
{
    private readonly Informer<V1DaemonSet> _daemonSets;
    private readonly Informer<V1Pod> _pods;
    private readonly Informer<V1Node> _nodes;
    private readonly PodControl _podControl;
    private readonly ControllerHistory _history;
    private readonly Expectations _expectations;

    public DaemonSetController(ControllerContext context)
        : base(context, "daemonset", workers: 2, eventSource: "daemonset-controller")
    {
        _podControl = new PodControl(Client, Events);
        _history = new ControllerHistory(Client, context.Informers.ControllerRevisions.EnqueueControllers(Queue, "DaemonSet").Cache);
        _expectations = new Expectations(Time);
        _daemonSets = context.Informers.DaemonSets.EnqueueKeys(Queue);
        _pods = context.Informers.Pods;
        _nodes = context.Informers.Nodes;
        _pods.AddHandler(OnPodChange);
        // Any node change may change where daemons belong; there are few DaemonSets, so all are checked.
        _nodes.AddHandler(change =>
        {
            if (!change.IsResync)
            {
                foreach (var key in _daemonSets.Keys)
                {
                    Queue.Add(NamespacedName.Parse(key));
                }
            }
        });
    }

    /// <summary>Converges the DaemonSet at <paramref name="key"/>; failures are retried through the queue.</summary>
    public override async Task SyncAsync(NamespacedName key, CancellationToken cancellationToken)
    {
        var daemonSet = _daemonSets.Cache.Get(key);
        if (daemonSet is null)
        {
            _expectations.Delete(key);
            return;
        }
        await SyncDaemonSetAsync(key, daemonSet, cancellationToken);
    }

    private void OnPodChange(ObjectChange<V1Pod> change)
    {
        if (ControllerRefs.OwnerKey(change.Latest, "DaemonSet") is not { } key)
        {
            return;
        }
        if (change.IsAdd)
        {
            _expectations.CreationObserved(key);
        }
        Queue.Add(key);
    }

    private async Task SyncDaemonSetAsync(NamespacedName key, V1DaemonSet daemonSet, CancellationToken cancellationToken)
    {
        if (daemonSet.Metadata.DeletionTimestamp is not null)
        {
            return;
        }
        var ns = daemonSet.Metadata.NamespaceProperty;
        var uid = daemonSet.Metadata.Uid;
        var revisions = _history.ListOwned(daemonSet);
        var update = await _history.EnsureCurrentAsync(daemonSet, "apps/v1", "DaemonSet", daemonSet.Spec.Template, daemonSet.Status?.CollisionCount, revisions, cancellationToken);
        var hash = ControllerHistory.HashOf(update);

        var pods = _pods.Cache.ListNamespace(ns, LabelSelector.From(daemonSet.Spec.Selector))
            .Where(p => ControllerRefs.IsControlledBy(p, uid) && p.Metadata.DeletionTimestamp is null)
            .ToList();
        var nodes = _nodes.Cache.List().OrderBy(n => n.Metadata.Name, StringComparer.Ordinal).ToList();
        var plan = new DaemonPlan(daemonSet, nodes, pods, hash, Time.GetUtcNow());

        if (_expectations.Satisfied(key))
        {
            var (create, delete) = plan.Converge();
            if (daemonSet.Spec.UpdateStrategy?.Type != "OnDelete")
            {
                var (surge, replace) = plan.RollingUpdate();
                create.AddRange(surge);
                delete.AddRange(replace);
            }
            await DeleteAsync(daemonSet, delete, cancellationToken);
            await CreateAsync(key, daemonSet, create, hash, cancellationToken);
        }

        await _history.TruncateAsync(revisions.Where(r => r.Metadata.Name != update.Metadata.Name).ToList(),
            pods.Select(p => ControllerHistory.HashLabelOf(p) ?? ""),
            new HashSet<string>(StringComparer.Ordinal) { update.Metadata.Name },
            daemonSet.Spec.RevisionHistoryLimit ?? 10, cancellationToken);

        await WriteStatusAsync(daemonSet, plan.Status(), cancellationToken);
        if (plan.NextAvailabilityCheck() is { } wait)
        {
            Queue.AddAfter(key, wait);
        }
    }

    private async Task DeleteAsync(V1DaemonSet daemonSet, List<V1Pod> pods, CancellationToken cancellationToken)
    {
        foreach (var pod in pods.Where(p => p.Status?.Phase == "Failed"))
        {
            Events.Record(daemonSet, EventTypes.Warning, "FailedDaemonPod",
                $"Found failed daemon pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} on node {DaemonPods.TargetNode(pod)}, will try to kill it");
        }
        // A delete that the cache has not shown yet is harmless to repeat (404 counts as done), so no deletion expectations.
        await Task.WhenAll(pods.DistinctBy(p => p.Metadata.Uid).Select(p => _podControl.DeleteAsync(p, daemonSet, cancellationToken)));
    }

    private async Task CreateAsync(NamespacedName key, V1DaemonSet daemonSet, List<string> nodeNames, string hash, CancellationToken cancellationToken)
    {
        await _expectations.CreateAsync(key, nodeNames.Count,
            i => _podControl.CreateAsync(daemonSet.Metadata.NamespaceProperty, DaemonPods.New(daemonSet, nodeNames[i], hash), daemonSet, cancellationToken));
    }

    private async Task WriteStatusAsync(V1DaemonSet daemonSet, V1DaemonSetStatus status, CancellationToken cancellationToken)
    {
        status.CollisionCount = daemonSet.Status?.CollisionCount;
        status.Conditions = daemonSet.Status?.Conditions;
        if (KubernetesJson.Serialize(status) == KubernetesJson.Serialize(daemonSet.Status ?? new V1DaemonSetStatus()))
        {
            return;
        }
        var updated = ObjectCopy.Clone(daemonSet);
        updated.Status = status;
        await Client.AppsV1.ReplaceNamespacedDaemonSetStatusAsync(updated, daemonSet.Metadata.Name, daemonSet.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
    }
}
