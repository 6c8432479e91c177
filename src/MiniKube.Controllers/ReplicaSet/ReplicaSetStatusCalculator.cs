using k8s.Models;

namespace MiniKube.Controllers.ReplicaSet;

/// <summary>
/// A ReplicaSet's status from the pods it owns (pkg/controller/replicaset/replica_set_utils.go
/// calculateStatus, updateReplicaSetStatus): replicas = active owned pods; fullyLabeledReplicas =
/// those carrying every template label; readyReplicas; availableReplicas = Ready for longer than
/// minReadySeconds; a ReplicaFailure condition (FailedCreate / FailedDelete) while creating or
/// deleting fails, removed once a sync succeeds. Zero counts other than replicas are left out,
/// as upstream's omitempty fields are.
/// </summary>
public static class ReplicaSetStatusCalculator
{
    public const string ReplicaFailure = "ReplicaFailure";

    public static V1ReplicaSetStatus Calculate(V1ReplicaSet rs, IReadOnlyCollection<V1Pod> pods, string? manageError, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(rs);
        ArgumentNullException.ThrowIfNull(pods);
        var status = rs.Status is null ? new V1ReplicaSetStatus() : ObjectCopy.Clone(rs.Status);
        var templateLabels = LabelSelector.FromSet(rs.Spec.Template?.Metadata?.Labels);
        var minReadySeconds = rs.Spec.MinReadySeconds ?? 0;
        var failure = status.Conditions?.FirstOrDefault(c => c.Type == ReplicaFailure);
        if (manageError is not null && failure is null)
        {
            var diff = pods.Count - (rs.Spec.Replicas ?? 1);
            var reason = diff < 0 ? "FailedCreate" : diff > 0 ? "FailedDelete" : "";
            status.Conditions ??= [];
            status.Conditions.Add(new V1ReplicaSetCondition
            {
                Type = ReplicaFailure,
                Status = "True",
                Reason = reason,
                Message = manageError,
                LastTransitionTime = WholeSeconds(now),
            });
        }
        else if (manageError is null && failure is not null)
        {
            status.Conditions!.Remove(failure);
        }
        if (status.Conditions is { Count: 0 })
        {
            status.Conditions = null;
        }
        status.Replicas = pods.Count;
        status.FullyLabeledReplicas = OmitZero(pods.Count(templateLabels.Matches));
        status.ReadyReplicas = OmitZero(pods.Count(PodReadiness.IsReady));
        status.AvailableReplicas = OmitZero(pods.Count(p => PodReadiness.IsAvailable(p, minReadySeconds, now)));
        return status;
    }

    /// <summary>Whether <paramref name="status"/> differs from what <paramref name="rs"/> says (or its generation was not observed yet).</summary>
    public static bool NeedsUpdate(V1ReplicaSet rs, V1ReplicaSetStatus status)
    {
        ArgumentNullException.ThrowIfNull(rs);
        ArgumentNullException.ThrowIfNull(status);
        var current = rs.Status ?? new V1ReplicaSetStatus();
        return current.Replicas != status.Replicas
            || (current.FullyLabeledReplicas ?? 0) != (status.FullyLabeledReplicas ?? 0)
            || (current.ReadyReplicas ?? 0) != (status.ReadyReplicas ?? 0)
            || (current.AvailableReplicas ?? 0) != (status.AvailableReplicas ?? 0)
            || (current.ObservedGeneration ?? 0) != (rs.Metadata.Generation ?? 0)
            || KubernetesJson.Serialize(current.Conditions ?? []) != KubernetesJson.Serialize(status.Conditions ?? []);
    }

    /// <summary>The API keeps times to the second; so do we, so a condition read back compares equal.</summary>
    public static DateTime WholeSeconds(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);

    private static int? OmitZero(int count) => count == 0 ? null : count;
}
