using k8s.Models;

namespace MiniKube.Controllers.NodeLifecycle;

/// <summary>
/// Evicts pods from nodes with NoExecute taints (pkg/controller/tainteviction/taint_eviction.go):
/// a pod that does not tolerate one of them is deleted at once; one that tolerates them all is
/// deleted when the shortest tolerationSeconds among the tolerations used has passed since the
/// taint was added (never, when none of them sets tolerationSeconds). The API server's admission
/// gives every pod 300 s tolerations for not-ready and unreachable, so a lost node's pods go
/// after five minutes. Before deleting, the pod gets the DisruptionTarget condition. Keys are pod keys.
/// </summary>
/// <remarks>
/// mkube's one difference (offline autonomy): on a node whose kubelet runs its pods from a local
/// copy (<see cref="WellKnownAnnotations.NodeAutonomy"/>) and whose only NoExecute taint is
/// unreachable, each toleration counts for at least <see cref="NodeLifecycleOptions.AutonomyDuration"/>,
/// so an agent cut off from the server keeps its pods that long rather than five minutes.
/// </remarks>
public sealed partial class TaintEvictionController : Controller<NamespacedName>
{
    private readonly Informer<V1Node> _nodes;
    private readonly Informer<V1Pod> _pods;
    private readonly NodeLifecycleOptions _options;

    /// <summary>Evicts on the taints' timing; <paramref name="options"/> gives the autonomy duration of nodes that run from a local copy.</summary>
    public TaintEvictionController(ControllerContext context, NodeLifecycleOptions options)
        : base(context, "taint-eviction-controller", workers: 2, eventSource: "taint-eviction-controller")
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _nodes = context.Informers.Nodes;
        _pods = context.Informers.Pods;
        SharedIndexes.EnsurePodsByNodeName(_pods);
        _pods.AddHandler(change =>
        {
            if (change.New?.Spec?.NodeName is { Length: > 0 } && change.New.Metadata.DeletionTimestamp is null)
            {
                Queue.Add(change.Name);
            }
        });
        _nodes.AddHandler(change =>
        {
            if (change.New is { } node && NoExecuteTaints(node).Count > 0 && (change.Old is null || !SameNoExecute(change.Old, node) || change.IsResync))
            {
                foreach (var pod in _pods.Cache.ByIndex(CacheIndexes.PodsByNodeName, node.Metadata.Name))
                {
                    Queue.Add(NamespacedName.Of(pod));
                }
            }
        });
    }

    public override async Task SyncAsync(NamespacedName key, CancellationToken cancellationToken)
    {
        var pod = _pods.Get(key);
        if (pod?.Spec?.NodeName is not { Length: > 0 } nodeName || pod.Metadata.DeletionTimestamp is not null || _nodes.Get(nodeName) is not { } node)
        {
            return;
        }
        var taints = NoExecuteTaints(node);
        if (taints.Count == 0)
        {
            return;
        }
        var tolerations = pod.Spec.Tolerations ?? [];
        var now = Time.GetUtcNow();
        DateTimeOffset due = now;
        if (taints.All(t => Tolerations.Tolerate(tolerations, t)))
        {
            var used = tolerations.Where(tol => tol.Effect is null or "" or Taints.NoExecute && taints.Any(t => Tolerations.Tolerates(tol, t))).ToList();
            var seconds = used.Where(t => t.TolerationSeconds is not null).Select(t => Math.Max(0, t.TolerationSeconds!.Value)).DefaultIfEmpty(-1).Min();
            if (seconds < 0)
            {
                return; // tolerated for ever
            }
            seconds = Math.Max(seconds, AutonomySeconds(node, taints));
            var added = taints.Select(t => t.TimeAdded is { } time ? new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)) : now).Max();
            due = added + TimeSpan.FromSeconds(seconds);
        }
        if (due > now)
        {
            Queue.AddAfter(key, due - now);
            return;
        }
        await EvictAsync(pod, cancellationToken);
    }

    private async Task EvictAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        Events.Record(pod, EventTypes.Normal, "TaintManagerEviction", $"Marking for deletion Pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name}");
        LogEvicting(pod.Metadata.NamespaceProperty, pod.Metadata.Name, pod.Spec.NodeName);
        var condition = new
        {
            type = "DisruptionTarget",
            status = "True",
            reason = "DeletionByTaintManager",
            message = "Taint manager: deleting due to NoExecute taint",
            lastTransitionTime = Time.GetUtcNow().UtcDateTime,
        };
        var conditions = (pod.Status?.Conditions ?? []).Where(c => c.Type != "DisruptionTarget").Cast<object>().Append(condition);
        try
        {
            await Client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(KubernetesJson.Serialize(new { status = new { conditions } }), V1Patch.PatchType.MergePatch),
                pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
            await Client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty,
                new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid } }, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (ApiErrors.IsGoneOrReplaced(e))
        {
            // Gone already.
        }
    }

    /// <summary>
    /// The least time an autonomous node's pods stay through an unreachable spell (0 where the
    /// node is not autonomous, or has another NoExecute taint: those evict on upstream's timing).
    /// </summary>
    private long AutonomySeconds(V1Node node, List<V1Taint> taints) =>
        _options.AutonomyDuration > TimeSpan.Zero
        && node.Metadata.Annotations is { } annotations && annotations.TryGetValue(WellKnownAnnotations.NodeAutonomy, out var autonomy) && autonomy == "true"
        && taints.All(t => t.Key == Taints.Unreachable)
            ? (long)_options.AutonomyDuration.TotalSeconds
            : 0;

    private static List<V1Taint> NoExecuteTaints(V1Node node) => [.. (node.Spec?.Taints ?? []).Where(t => t.Effect == Taints.NoExecute)];

    private static bool SameNoExecute(V1Node a, V1Node b)
    {
        var before = NoExecuteTaints(a);
        var after = NoExecuteTaints(b);
        return before.Count == after.Count && after.All(t => before.Any(o => Taints.Same(o, t) && o.Value == t.Value));
    }

    [LoggerMessage(EventId = LogEvents.Controllers + 410, Level = LogLevel.Information, Message = "Evicting pod {Namespace}/{Name} from node {Node}: NoExecute taint not tolerated (any more)")]
    private partial void LogEvicting(string @namespace, string name, string node);

    [LoggerMessage(EventId = LogEvents.Controllers + 411, Level = LogLevel.Warning, Message = "Evicting pod {Pod} failed ({Reason}); retrying")]
    private partial void LogFailed(string pod, string reason);
}
