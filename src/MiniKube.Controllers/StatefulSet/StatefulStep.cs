using k8s.Models;

namespace MiniKube.Controllers.StatefulSet;

/// <summary>One create (of an ordinal) or delete (of a pod) a StatefulSet sync performs.</summary>
public sealed record StatefulAction(int? Create, V1Pod? Delete);

/// <summary>
/// One sync's decisions for a StatefulSet (pkg/controller/statefulset/stateful_set_control.go
/// updateStatefulSet / processReplica / processCondemned / rolling update), in the order they
/// must be carried out, and the status the current pods make. Pure: reads what it is given.
/// </summary>
public sealed class StatefulStep
{
    private readonly V1StatefulSet _set;
    private readonly IReadOnlyDictionary<int, V1Pod> _pods;
    private readonly V1ControllerRevision _current;
    private readonly V1ControllerRevision _update;
    private readonly DateTimeOffset _now;
    private readonly int _start;
    private readonly int _replicas;
    private readonly bool _ordered;
    private readonly bool _rolling;
    private readonly int _minReadySeconds;

    /// <param name="pods">The set's pods by ordinal.</param>
    public StatefulStep(V1StatefulSet set, IReadOnlyDictionary<int, V1Pod> pods, V1ControllerRevision current, V1ControllerRevision update, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(set);
        (_set, _pods, _current, _update, _now) = (set, pods, current, update, now);
        _start = set.Spec.Ordinals?.Start ?? 0;
        _replicas = set.Spec.Replicas ?? 1;
        _ordered = set.Spec.PodManagementPolicy != "Parallel";
        _rolling = set.Spec.UpdateStrategy?.Type != "OnDelete";
        _minReadySeconds = set.Spec.MinReadySeconds ?? 0;
    }

    private int Partition => _rolling ? _set.Spec.UpdateStrategy?.RollingUpdate?.Partition ?? 0 : 0;

    /// <summary>
    /// The revision a pod created now at <paramref name="ordinal"/> gets: below the partition of a
    /// RollingUpdate the current one (so a partitioned rollout does not advance by recreation), else the update one.
    /// </summary>
    public V1ControllerRevision RevisionFor(int ordinal) => _rolling && ordinal < Partition ? _current : _update;

    /// <summary>What to do now; OrderedReady stops at the first thing it must wait for.</summary>
    public IReadOnlyList<StatefulAction> Plan()
    {
        var actions = new List<StatefulAction>();
        for (var ordinal = _start; ordinal < _start + _replicas; ordinal++)
        {
            if (!_pods.TryGetValue(ordinal, out var pod))
            {
                actions.Add(new StatefulAction(ordinal, null));
                if (_ordered)
                {
                    return actions;
                }
                continue;
            }
            if (PodState.IsFinished(pod) && pod.Metadata.DeletionTimestamp is null)
            {
                // A failed (or exited) pod is deleted and made again under the same name.
                actions.Add(new StatefulAction(null, pod));
                if (_ordered)
                {
                    return actions;
                }
                continue;
            }
            if (_ordered && !IsHealthy(pod))
            {
                return actions;
            }
        }

        // Scale down from the highest ordinal; OrderedReady one at a time, after the rest are healthy.
        foreach (var (_, pod) in _pods.Where(p => p.Key < _start || p.Key >= _start + _replicas).OrderByDescending(p => p.Key))
        {
            if (pod.Metadata.DeletionTimestamp is not null)
            {
                if (_ordered)
                {
                    return actions;
                }
                continue;
            }
            actions.Add(new StatefulAction(null, pod));
            if (_ordered)
            {
                return actions;
            }
        }

        if (!_rolling)
        {
            return actions;
        }
        var planned = actions.Where(a => a.Delete is not null).Select(a => a.Delete!.Metadata.Uid).ToHashSet(StringComparer.Ordinal);
        for (var ordinal = _start + _replicas - 1; ordinal >= _start + Partition; ordinal--)
        {
            if (!_pods.TryGetValue(ordinal, out var pod) || planned.Contains(pod.Metadata.Uid))
            {
                return actions;
            }
            if (ControllerHistory.HashLabelOf(pod) != _update.Metadata.Name && pod.Metadata.DeletionTimestamp is null)
            {
                actions.Add(new StatefulAction(null, pod));
                return actions;
            }
            if (!IsHealthy(pod))
            {
                return actions;
            }
        }
        return actions;
    }

    /// <summary>The status these pods make.</summary>
    public V1StatefulSetStatus Status()
    {
        var pods = _pods.Values.ToList();
        var status = new V1StatefulSetStatus
        {
            ObservedGeneration = _set.Metadata.Generation,
            Replicas = pods.Count,
            ReadyReplicas = pods.Count(PodState.IsRunningAndReady),
            AvailableReplicas = pods.Count(p => PodState.IsRunningAndReady(p) && PodState.IsAvailable(p, _minReadySeconds, _now)),
            CurrentReplicas = pods.Count(p => ControllerHistory.HashLabelOf(p) == _current.Metadata.Name),
            UpdatedReplicas = pods.Count(p => ControllerHistory.HashLabelOf(p) == _update.Metadata.Name),
            CurrentRevision = _current.Metadata.Name,
            UpdateRevision = _update.Metadata.Name,
        };
        // completeRollingUpdate: once every pod runs the update revision and is ready, it is the current one.
        if (_rolling && status.UpdatedReplicas == status.Replicas && status.ReadyReplicas == status.Replicas)
        {
            status.CurrentReplicas = status.UpdatedReplicas;
            status.CurrentRevision = status.UpdateRevision;
        }
        return status;
    }

    /// <summary>When a ready pod will have been ready for minReadySeconds, or null.</summary>
    public TimeSpan? NextAvailabilityCheck() => PodState.UntilNextAvailable(_pods.Values, _minReadySeconds, _now);

    // Upstream's isHealthy: running, ready (for minReadySeconds) and not being deleted.
    private bool IsHealthy(V1Pod pod) =>
        pod.Metadata.DeletionTimestamp is null && PodState.IsRunningAndReady(pod) && PodState.IsAvailable(pod, _minReadySeconds, _now);
}
