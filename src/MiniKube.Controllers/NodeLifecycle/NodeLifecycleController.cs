using System.Collections.Concurrent;
using k8s.Models;

namespace MiniKube.Controllers.NodeLifecycle;

/// <summary>
/// Watches node health (pkg/controller/nodelifecycle/node_lifecycle_controller.go
/// monitorNodeHealth, doNoExecuteTaintingPass, and the Ready part of taint-nodes-by-condition):
/// <list type="bullet">
/// <item>A node whose kube-node-lease Lease and Ready heartbeat have not changed for the grace
/// period gets Ready, MemoryPressure, DiskPressure and PIDPressure set to Unknown ("Kubelet
/// stopped posting node status."). Staleness is measured on our own clock from when we last
/// saw either change, never from the timestamps written by the kubelet, so clock skew and a
/// controller-manager fail-over do not make healthy nodes Unknown.</item>
/// <item>Ready=False brings the not-ready taints, Ready=Unknown the unreachable taints (NoExecute,
/// with timeAdded, and NoSchedule); Ready=True removes them.</item>
/// <item>When a node stops being Ready its pods are marked Ready=False (MarkPodsNotReady) and a
/// NodeNotReady event is recorded.</item>
/// </list>
/// Evicting the pods of NoExecute-tainted nodes is <see cref="TaintEvictionController"/>'s job.
/// Keys are node names.
/// </summary>
public sealed partial class NodeLifecycleController : Controller<NamespacedName>
{
    public const string LeaseNamespace = "kube-node-lease";

    /// <summary>The conditions a stale node gets as Unknown (upstream's nodeConditionsToUpdate... list).</summary>
    public static readonly IReadOnlyList<string> MonitoredConditions = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"];

    private readonly NodeLifecycleOptions _options;
    private readonly Informer<V1Node> _nodes;
    private readonly Informer<V1Lease> _leases;
    private readonly Informer<V1Pod> _pods;
    private readonly ConcurrentDictionary<string, NodeHealth> _health = new(StringComparer.Ordinal);

    public NodeLifecycleController(ControllerContext context)
        : this(context, new NodeLifecycleOptions())
    {
    }

    public NodeLifecycleController(ControllerContext context, NodeLifecycleOptions options)
        : base(context, "nodelifecycle", workers: 1, eventSource: "node-controller")
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _nodes = context.Informers.Nodes.EnqueueKeys(Queue);
        _leases = context.Informers.Leases;
        _pods = context.Informers.Pods;
        SharedIndexes.EnsurePodsByNodeName(_pods);
        _leases.AddHandler(change =>
        {
            if (change.Latest.Metadata.NamespaceProperty == LeaseNamespace)
            {
                Queue.Add(new NamespacedName(change.Latest.Metadata.Name));
            }
        });
    }

    /// <summary>What we last saw of a node's liveness signals, and when (on our clock) one last changed.</summary>
    private sealed record NodeHealth(DateTimeOffset ProbeTime, DateTime? ReadyHeartbeat, DateTime? LeaseRenewTime, string? ReadyStatus);

    public override async Task SyncAsync(NamespacedName key, CancellationToken cancellationToken)
    {
        var name = key.Name;
        var node = _nodes.Get(name);
        if (node is null)
        {
            _health.TryRemove(name, out _);
            return;
        }
        await CheckHealthAsync(name, node, cancellationToken);
    }

    /// <summary>Marks the node Unknown once its signals are older than the grace period (else re-checks then), and taints it to match.</summary>
    private async Task CheckHealthAsync(string name, V1Node node, CancellationToken cancellationToken)
    {
        var now = Time.GetUtcNow();
        var ready = ReadyOf(node);
        var renewed = _leases.Cache.Get(LeaseNamespace, name)?.Spec?.RenewTime;
        var previous = _health.GetValueOrDefault(name);
        var probe = previous is null || previous.ReadyHeartbeat != ready?.LastHeartbeatTime || previous.LeaseRenewTime != renewed
            ? now
            : previous.ProbeTime;
        var grace = ready is null ? _options.NodeStartupGracePeriod : _options.NodeMonitorGracePeriod;
        if (now - probe > grace)
        {
            node = await MarkUnknownAsync(node, now, cancellationToken);
            ready = ReadyOf(node);
        }
        else
        {
            Queue.AddAfter(new NamespacedName(name), probe + grace - now + TimeSpan.FromMilliseconds(1));
        }
        await TaintAsync(node, ready?.Status, now, cancellationToken);
        if (ready?.Status != "True" && previous?.ReadyStatus == "True")
        {
            Events.Record(node, EventTypes.Normal, "NodeNotReady", $"Node {name} status is now: NodeNotReady");
            await MarkPodsNotReadyAsync(name, cancellationToken);
        }
        _health[name] = new NodeHealth(probe, ready?.LastHeartbeatTime, renewed, ready?.Status);
    }

    private static V1NodeCondition? ReadyOf(V1Node node) => node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");

    /// <summary>tryUpdateNodeHealth: the monitored conditions go Unknown (added when the kubelet never posted them).</summary>
    private async Task<V1Node> MarkUnknownAsync(V1Node node, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var updated = ObjectCopy.Clone(node);
        updated.Status ??= new V1NodeStatus();
        updated.Status.Conditions ??= [];
        var changed = false;
        foreach (var type in MonitoredConditions)
        {
            var condition = updated.Status.Conditions.FirstOrDefault(c => c.Type == type);
            if (condition is null)
            {
                updated.Status.Conditions.Add(new V1NodeCondition
                {
                    Type = type,
                    Status = "Unknown",
                    Reason = "NodeStatusNeverUpdated",
                    Message = "Kubelet never posted node status.",
                    LastHeartbeatTime = node.Metadata.CreationTimestamp,
                    LastTransitionTime = now.UtcDateTime,
                });
                changed = true;
            }
            else if (condition.Status != "Unknown")
            {
                condition.Status = "Unknown";
                condition.Reason = "NodeStatusUnknown";
                condition.Message = "Kubelet stopped posting node status.";
                condition.LastTransitionTime = now.UtcDateTime;
                changed = true;
            }
        }
        if (!changed)
        {
            return node;
        }
        LogUnknown(node.Metadata.Name);
        return await Client.CoreV1.ReplaceNodeStatusAsync(updated, node.Metadata.Name, cancellationToken: cancellationToken);
    }

    /// <summary>The not-ready or unreachable taints as the Ready condition says; others' taints are kept.</summary>
    private async Task TaintAsync(V1Node node, string? ready, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var wanted = ready switch
        {
            "False" => Taints.NotReady,
            "Unknown" => Taints.Unreachable,
            _ => null,
        };
        var current = node.Spec?.Taints ?? [];
        var kept = current.Where(t => !(t.Key is Taints.NotReady or Taints.Unreachable && t.Effect is Taints.NoExecute or Taints.NoSchedule) || t.Key == wanted).ToList();
        if (wanted is not null)
        {
            if (!kept.Any(t => t.Key == wanted && t.Effect == Taints.NoExecute))
            {
                kept.Add(new V1Taint { Key = wanted, Effect = Taints.NoExecute, TimeAdded = now.UtcDateTime });
            }
            if (!kept.Any(t => t.Key == wanted && t.Effect == Taints.NoSchedule))
            {
                kept.Add(new V1Taint { Key = wanted, Effect = Taints.NoSchedule });
            }
        }
        if (kept.Count == current.Count && kept.All(t => current.Any(c => Taints.Same(c, t))))
        {
            return;
        }
        var patch = new
        {
            metadata = new { resourceVersion = node.Metadata.ResourceVersion },
            spec = new { taints = kept },
        };
        await Client.CoreV1.PatchNodeAsync(new V1Patch(KubernetesJson.Serialize(patch), V1Patch.PatchType.MergePatch), node.Metadata.Name, cancellationToken: cancellationToken);
    }

    /// <summary>MarkPodsNotReady (pkg/controller/util/node): every pod on the node whose Ready condition is True becomes False.</summary>
    private async Task MarkPodsNotReadyAsync(string nodeName, CancellationToken cancellationToken)
    {
        foreach (var pod in _pods.Cache.ByIndex(CacheIndexes.PodsByNodeName, nodeName))
        {
            var ready = pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");
            if (ready is null || ready.Status != "True")
            {
                continue;
            }
            // An UpdateStatus of a copy, as upstream's MarkPodsNotReady (node-controller may update pods/status, not patch it).
            var copy = ObjectCopy.Clone(pod);
            var mine = copy.Status.Conditions.First(c => c.Type == "Ready");
            mine.Status = "False";
            mine.LastTransitionTime = Time.GetUtcNow().UtcDateTime;
            try
            {
                await Client.CoreV1.ReplaceNamespacedPodStatusAsync(copy, pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
                Events.Record(pod, EventTypes.Warning, "NodeNotReady", "Node is not ready");
            }
            catch (HttpOperationException e) when (ApiErrors.IsNotFound(e))
            {
                // Gone meanwhile.
            }
        }
    }

    [LoggerMessage(EventId = LogEvents.Controllers + 400, Level = LogLevel.Information, Message = "Node {Node} stopped posting status (no lease renewal within the grace period); marking it Unknown")]
    private partial void LogUnknown(string node);
}
