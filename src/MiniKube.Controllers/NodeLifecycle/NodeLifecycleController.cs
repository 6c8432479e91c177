using System.Collections.Concurrent;
using MiniKube.Api;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using MiniKube.Client;
using MiniKube.Client.Events;
using MiniKube.Controllers.Common;

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
public sealed partial class NodeLifecycleController : IController
{
    public const string LeaseNamespace = "kube-node-lease";

    /// <summary>The conditions a stale node gets as Unknown (upstream's nodeConditionsToUpdate... list).</summary>
    public static readonly IReadOnlyList<string> MonitoredConditions = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"];

    private readonly IKubernetes _client;
    private readonly NodeLifecycleOptions _options;
    private readonly TimeProvider _time;
    private readonly Informer<V1Node> _nodes;
    private readonly Informer<V1Lease> _leases;
    private readonly Informer<V1Pod> _pods;
    private readonly EventRecorder _events;
    private readonly WorkQueue<string> _queue;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, NodeHealth> _health = new(StringComparer.Ordinal);

    public NodeLifecycleController(ControllerContext context)
        : this(context, new NodeLifecycleOptions())
    {
    }

    public NodeLifecycleController(ControllerContext context, NodeLifecycleOptions options)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        _client = context.Client;
        _options = options;
        _time = context.Time;
        _logger = context.Loggers.CreateLogger<NodeLifecycleController>();
        _events = context.Events("node-controller");
        _queue = new WorkQueue<string>(context.Time);
        _nodes = context.Informers.Nodes;
        _leases = context.Informers.Leases;
        _pods = context.Informers.Pods;
        SharedIndexes.EnsurePodsByNodeName(_pods);
        _nodes.AddHandler(change => _queue.Add(change.Key));
        _leases.AddHandler(change =>
        {
            if (change.Latest.Metadata.NamespaceProperty == LeaseNamespace)
            {
                _queue.Add(change.Latest.Metadata.Name);
            }
        });
    }

    public string Name => "nodelifecycle";

    public Task RunAsync(CancellationToken cancellationToken) => _queue.RunAsync(1, SyncAsync, cancellationToken);

    /// <summary>What we last saw of a node's liveness signals, and when (on our clock) one last changed.</summary>
    private sealed record NodeHealth(DateTimeOffset ProbeTime, DateTime? ReadyHeartbeat, DateTime? LeaseRenewTime, string? ReadyStatus);

    public async Task SyncAsync(string name, CancellationToken cancellationToken)
    {
        var node = _nodes.Get(name);
        if (node is null)
        {
            _health.TryRemove(name, out _);
            return;
        }
        await _queue.SyncOrRetryAsync(name, () => CheckHealthAsync(name, node, cancellationToken), e => LogSyncFailed(name, PodControl.StatusMessage(e)));
    }

    /// <summary>Marks the node Unknown once its signals are older than the grace period (else re-checks then), and taints it to match.</summary>
    private async Task CheckHealthAsync(string name, V1Node node, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
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
            _queue.AddAfter(name, probe + grace - now + TimeSpan.FromMilliseconds(1));
        }
        await TaintAsync(node, ready?.Status, now, cancellationToken);
        if (ready?.Status != "True" && previous?.ReadyStatus == "True")
        {
            _events.Record(node, EventTypes.Normal, "NodeNotReady", $"Node {name} status is now: NodeNotReady");
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
        return await _client.CoreV1.ReplaceNodeStatusAsync(updated, node.Metadata.Name, cancellationToken: cancellationToken);
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
        await _client.CoreV1.PatchNodeAsync(new V1Patch(KubernetesJson.Serialize(patch), V1Patch.PatchType.MergePatch), node.Metadata.Name, cancellationToken: cancellationToken);
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
            var conditions = pod.Status!.Conditions.Select(ObjectCopy.Clone).ToList();
            var mine = conditions.First(c => c.Type == "Ready");
            mine.Status = "False";
            mine.LastTransitionTime = _time.GetUtcNow().UtcDateTime;
            var patch = new { metadata = new { resourceVersion = pod.Metadata.ResourceVersion }, status = new { conditions } };
            try
            {
                await _client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(KubernetesJson.Serialize(patch), V1Patch.PatchType.MergePatch),
                    pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
                _events.Record(pod, EventTypes.Warning, "NodeNotReady", "Node is not ready");
            }
            catch (HttpOperationException e) when (ApiErrors.IsNotFound(e))
            {
                // Gone meanwhile.
            }
        }
    }

    [LoggerMessage(EventId = 3500, Level = LogLevel.Information, Message = "Node {Node} stopped posting status (no lease renewal within the grace period); marking it Unknown")]
    private partial void LogUnknown(string node);

    [LoggerMessage(EventId = 3501, Level = LogLevel.Warning, Message = "Node lifecycle sync of {Node} failed ({Reason}); retrying")]
    private partial void LogSyncFailed(string node, string reason);
}
