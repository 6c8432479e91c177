using k8s.Models;

namespace MiniKube.Controllers.Deployment;

/// <summary>
/// A Deployment's status from its ReplicaSets (pkg/controller/deployment/sync.go calculateStatus
/// and deployment_util.go DeploymentComplete / DeploymentProgressing / DeploymentTimedOut):
/// replicas, updatedReplicas (the new set's), readyReplicas, availableReplicas,
/// unavailableReplicas (desired sizes minus available, never below 0), observedGeneration, the
/// Available condition. Zero counts are left out as upstream's omitempty fields are.
/// </summary>
public static class DeploymentStatusCalculator
{
    public static V1DeploymentStatus Calculate(IReadOnlyCollection<V1ReplicaSet> all, V1ReplicaSet? newRs, V1Deployment d, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(all);
        ArgumentNullException.ThrowIfNull(d);
        var available = all.Sum(rs => rs.Status?.AvailableReplicas ?? 0);
        var desiredTotal = all.Sum(rs => rs.Spec.Replicas ?? 0);
        var status = new V1DeploymentStatus
        {
            ObservedGeneration = d.Metadata.Generation,
            Replicas = OmitZero(all.Sum(rs => rs.Status?.Replicas ?? 0)),
            UpdatedReplicas = OmitZero(newRs?.Status?.Replicas ?? 0),
            ReadyReplicas = OmitZero(all.Sum(rs => rs.Status?.ReadyReplicas ?? 0)),
            AvailableReplicas = OmitZero(available),
            UnavailableReplicas = OmitZero(Math.Max(0, desiredTotal - available)),
            CollisionCount = d.Status?.CollisionCount,
            Conditions = d.Status?.Conditions?.Select(ObjectCopy.Clone).ToList(),
        };
        var condition = available >= (d.Spec.Replicas ?? 1) - RollingUpdateLimits.MaxUnavailable(d)
            ? DeploymentConditions.New(DeploymentConditions.Available, "True", DeploymentConditions.MinimumReplicasAvailable, "Deployment has minimum availability.", now)
            : DeploymentConditions.New(DeploymentConditions.Available, "False", DeploymentConditions.MinimumReplicasUnavailable, "Deployment does not have minimum availability.", now);
        DeploymentConditions.Set(status, condition);
        return status;
    }

    /// <summary>Every replica is updated and available, none is old, and the latest generation was observed.</summary>
    public static bool IsComplete(V1Deployment d, V1DeploymentStatus status)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(status);
        var replicas = d.Spec.Replicas ?? 1;
        return (status.UpdatedReplicas ?? 0) == replicas
            && (status.Replicas ?? 0) == replicas
            && (status.AvailableReplicas ?? 0) == replicas
            && (status.ObservedGeneration ?? 0) >= (d.Metadata.Generation ?? 0);
    }

    /// <summary>Something moved since the status the Deployment has: more updated, fewer old, more ready or more available replicas.</summary>
    public static bool IsProgressing(V1Deployment d, V1DeploymentStatus status)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(status);
        var old = d.Status ?? new V1DeploymentStatus();
        var oldOld = (old.Replicas ?? 0) - (old.UpdatedReplicas ?? 0);
        var newOld = (status.Replicas ?? 0) - (status.UpdatedReplicas ?? 0);
        return (status.UpdatedReplicas ?? 0) > (old.UpdatedReplicas ?? 0)
            || newOld < oldOld
            || (status.ReadyReplicas ?? 0) > (old.ReadyReplicas ?? 0)
            || (status.AvailableReplicas ?? 0) > (old.AvailableReplicas ?? 0);
    }

    /// <summary>The Progressing condition was last updated more than progressDeadlineSeconds ago (or already says so).</summary>
    public static bool IsTimedOut(V1Deployment d, V1DeploymentStatus status, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(d);
        if (!DeploymentConditions.HasProgressDeadline(d) || DeploymentConditions.Get(status, DeploymentConditions.Progressing) is not { } condition)
        {
            return false;
        }
        if (condition.Reason == DeploymentConditions.NewReplicaSetAvailable)
        {
            return false;
        }
        if (condition.Reason == DeploymentConditions.ProgressDeadlineExceeded)
        {
            return true;
        }
        return condition.LastUpdateTime is { } from
            && DateTime.SpecifyKind(from, DateTimeKind.Utc).AddSeconds(d.Spec.ProgressDeadlineSeconds!.Value) < now.UtcDateTime;
    }

    /// <summary>Whether two statuses say the same thing (what upstream's reflect.DeepEqual decides).</summary>
    public static bool Same(V1DeploymentStatus? a, V1DeploymentStatus? b) =>
        KubernetesJson.Serialize(Normalized(a)) == KubernetesJson.Serialize(Normalized(b));

    private static V1DeploymentStatus Normalized(V1DeploymentStatus? status) => status is null ? new V1DeploymentStatus() : status with
    {
        Replicas = OmitZero(status.Replicas ?? 0),
        UpdatedReplicas = OmitZero(status.UpdatedReplicas ?? 0),
        ReadyReplicas = OmitZero(status.ReadyReplicas ?? 0),
        AvailableReplicas = OmitZero(status.AvailableReplicas ?? 0),
        UnavailableReplicas = OmitZero(status.UnavailableReplicas ?? 0),
        TerminatingReplicas = null,
        Conditions = status.Conditions is { Count: 0 } ? null : status.Conditions,
    };

    private static int? OmitZero(int count) => count == 0 ? null : count;
}
