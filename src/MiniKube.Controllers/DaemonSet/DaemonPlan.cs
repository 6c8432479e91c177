using k8s.Models;

namespace MiniKube.Controllers.DaemonSet;

/// <summary>
/// One sync's view of a DaemonSet: which nodes should run it, the live pods on each, and the
/// decisions upstream's manage() and rollingUpdate() take from them (pkg/controller/daemon/
/// daemon_controller.go podsShouldBeOnNode, update.go rollingUpdate), plus the status they make.
/// Pure: it reads the objects it is given and calls nothing.
/// </summary>
public sealed class DaemonPlan
{
    private readonly V1DaemonSet _daemonSet;
    private readonly string _hash;
    private readonly DateTimeOffset _now;
    private readonly int _minReadySeconds;
    private readonly List<NodeState> _nodes;
    private readonly List<V1Pod> _strays;

    /// <param name="pods">The DaemonSet's pods that are not being deleted.</param>
    public DaemonPlan(V1DaemonSet daemonSet, IEnumerable<V1Node> nodes, IEnumerable<V1Pod> pods, string hash, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(daemonSet);
        _daemonSet = daemonSet;
        _hash = hash;
        _now = now;
        _minReadySeconds = daemonSet.Spec.MinReadySeconds ?? 0;
        var spec = DaemonPods.WithDaemonTolerations(daemonSet.Spec.Template.Spec);
        var byNode = pods.GroupBy(p => DaemonPods.TargetNode(p) ?? "").ToDictionary(g => g.Key, g => g.OrderBy(p => p.Metadata.CreationTimestamp).ToList());
        _nodes = [.. nodes.Select(n =>
        {
            var (run, keep) = DaemonPods.Eligibility(spec, n);
            return new NodeState(n.Metadata.Name, run, keep, byNode.GetValueOrDefault(n.Metadata.Name) ?? []);
        })];
        var known = _nodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        // Pods meant for nodes that do not exist (any more) have nowhere to run.
        _strays = [.. byNode.Where(g => !known.Contains(g.Key)).SelectMany(g => g.Value)];
    }

    private bool AllowsSurge => _daemonSet.Spec.UpdateStrategy?.Type != "OnDelete" && MaxSurge > 0;

    private int Desired => _nodes.Count(n => n.ShouldRun);

    private int MaxSurge => IntOrPercent.Scaled(_daemonSet.Spec.UpdateStrategy?.RollingUpdate?.MaxSurge, Desired, roundUp: true, fallback: 0);

    private int MaxUnavailable
    {
        get
        {
            var value = IntOrPercent.Scaled(_daemonSet.Spec.UpdateStrategy?.RollingUpdate?.MaxUnavailable, Desired, roundUp: true, fallback: 1);
            // Both zero would never make progress; upstream then allows one.
            return value == 0 && MaxSurge == 0 ? 1 : value;
        }
    }

    /// <summary>Nodes that need a pod, and pods that must go (on ineligible or missing nodes, failed, or duplicates).</summary>
    public (List<string> Create, List<V1Pod> Delete) Converge()
    {
        var create = new List<string>();
        var delete = new List<V1Pod>(_strays);
        foreach (var node in _nodes)
        {
            if (!node.ShouldContinueRunning)
            {
                delete.AddRange(node.Pods);
                continue;
            }
            var failed = node.Pods.Where(p => p.Status?.Phase == "Failed").ToList();
            delete.AddRange(failed);
            var alive = node.Pods.Except(failed).ToList();
            if (node.ShouldRun && node.Pods.Count == 0)
            {
                create.Add(node.Name);
            }
            if (alive.Count > 1)
            {
                // Keep the oldest; while surging, the oldest of the new revision may stand beside the oldest old one.
                var keep = new List<V1Pod> { alive[0] };
                if (AllowsSurge && alive.FirstOrDefault(IsNew) is { } newest && !keep.Contains(newest))
                {
                    keep.Add(newest);
                }
                delete.AddRange(alive.Except(keep));
            }
        }
        return (create, delete);
    }

    /// <summary>The RollingUpdate step: nodes to surge a new pod onto, and old pods to delete.</summary>
    public (List<string> Surge, List<V1Pod> Delete) RollingUpdate()
    {
        var surge = new List<string>();
        var delete = new List<V1Pod>();
        var maxSurge = AllowsSurge ? MaxSurge : 0;
        var maxUnavailable = MaxUnavailable;
        var candidates = new List<(string Node, V1Pod Old)>();
        var busy = 0;
        foreach (var node in _nodes.Where(n => n.ShouldRun && n.Pods.Count > 0))
        {
            var alive = node.Pods.Where(p => p.Status?.Phase != "Failed").ToList();
            var newPod = alive.FirstOrDefault(IsNew);
            var oldPod = alive.FirstOrDefault(p => !IsNew(p));
            if (maxSurge == 0)
            {
                if (oldPod is null || newPod is not null)
                {
                    busy += newPod is null || oldPod is not null || !IsAvailable(newPod) ? 1 : 0;
                }
                else if (!IsAvailable(oldPod))
                {
                    delete.Add(oldPod); // unavailable anyway: replace it at once
                }
                else
                {
                    candidates.Add((node.Name, oldPod));
                }
            }
            else if (oldPod is not null)
            {
                if (newPod is null)
                {
                    if (!IsAvailable(oldPod))
                    {
                        surge.Add(node.Name);
                    }
                    else
                    {
                        candidates.Add((node.Name, oldPod));
                    }
                }
                else if (!IsAvailable(newPod))
                {
                    busy++; // surged here, waiting for the new pod
                }
                else
                {
                    delete.Add(oldPod);
                }
            }
        }
        var budget = Math.Clamp((maxSurge == 0 ? maxUnavailable : maxSurge) - busy, 0, candidates.Count);
        foreach (var (node, old) in candidates.Take(budget))
        {
            if (maxSurge == 0)
            {
                delete.Add(old);
            }
            else
            {
                surge.Add(node);
            }
        }
        return (surge, delete);
    }

    /// <summary>The status these pods make (updateDaemonSetStatus); counts are per node.</summary>
    public V1DaemonSetStatus Status()
    {
        int desired = 0, current = 0, misscheduled = 0, ready = 0, available = 0, updated = 0;
        foreach (var node in _nodes)
        {
            var alive = node.Pods.Where(p => p.Status?.Phase != "Failed").ToList();
            if (!node.ShouldRun)
            {
                misscheduled += alive.Count > 0 ? 1 : 0;
                continue;
            }
            desired++;
            if (alive.Count == 0)
            {
                continue;
            }
            current++;
            // While surging, the node counts by its new pod once that one is ready.
            var pod = alive.FirstOrDefault(p => IsNew(p) && PodState.IsReady(p)) ?? alive[0];
            ready += PodState.IsReady(pod) ? 1 : 0;
            available += IsAvailable(pod) ? 1 : 0;
            updated += alive.Any(IsNew) ? 1 : 0;
        }
        return new V1DaemonSetStatus
        {
            DesiredNumberScheduled = desired,
            CurrentNumberScheduled = current,
            NumberMisscheduled = misscheduled,
            NumberReady = ready,
            NumberAvailable = available,
            NumberUnavailable = Math.Max(0, desired - available),
            UpdatedNumberScheduled = updated,
            ObservedGeneration = _daemonSet.Metadata.Generation,
        };
    }

    /// <summary>When a ready pod will have been ready for minReadySeconds (so availability changes), or null.</summary>
    public TimeSpan? NextAvailabilityCheck() => PodState.UntilNextAvailable(_nodes.SelectMany(n => n.Pods), _minReadySeconds, _now);

    private bool IsNew(V1Pod pod) => ControllerHistory.HashLabelOf(pod) == _hash;

    private bool IsAvailable(V1Pod pod) => PodState.IsAvailable(pod, _minReadySeconds, _now);

    private sealed record NodeState(string Name, bool ShouldRun, bool ShouldContinueRunning, List<V1Pod> Pods);
}
