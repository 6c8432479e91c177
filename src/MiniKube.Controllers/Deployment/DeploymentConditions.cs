using k8s.Models;

namespace MiniKube.Controllers.Deployment;

/// <summary>
/// The Deployment conditions and the reasons and messages kubectl shows (deployment/util
/// deployment_util.go): Available (MinimumReplicasAvailable / MinimumReplicasUnavailable),
/// Progressing (NewReplicaSetCreated, FoundNewReplicaSet, ReplicaSetUpdated,
/// NewReplicaSetAvailable, ProgressDeadlineExceeded, DeploymentPaused, DeploymentResumed,
/// ReplicaSetCreateError) and ReplicaFailure copied from a ReplicaSet. Setting a condition with
/// the same status and reason changes nothing; a new reason with the same status keeps
/// lastTransitionTime.
/// </summary>
public static class DeploymentConditions
{
    public const string Available = "Available";
    public const string Progressing = "Progressing";
    public const string ReplicaFailure = "ReplicaFailure";

    public const string MinimumReplicasAvailable = "MinimumReplicasAvailable";
    public const string MinimumReplicasUnavailable = "MinimumReplicasUnavailable";
    public const string NewReplicaSetCreated = "NewReplicaSetCreated";
    public const string FoundNewReplicaSet = "FoundNewReplicaSet";
    public const string ReplicaSetUpdated = "ReplicaSetUpdated";
    public const string NewReplicaSetAvailable = "NewReplicaSetAvailable";
    public const string ProgressDeadlineExceeded = "ProgressDeadlineExceeded";
    public const string DeploymentPaused = "DeploymentPaused";
    public const string DeploymentResumed = "DeploymentResumed";
    public const string ReplicaSetCreateError = "ReplicaSetCreateError";

    public static V1DeploymentCondition New(string type, string status, string reason, string message, DateTimeOffset now)
    {
        var at = new DateTime(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
        return new V1DeploymentCondition { Type = type, Status = status, Reason = reason, Message = message, LastUpdateTime = at, LastTransitionTime = at };
    }

    public static V1DeploymentCondition? Get(V1DeploymentStatus? status, string type) => status?.Conditions?.FirstOrDefault(c => c.Type == type);

    /// <summary>Puts <paramref name="condition"/> last in place of the one of its type, unless that one has the same status and reason.</summary>
    public static void Set(V1DeploymentStatus status, V1DeploymentCondition condition)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(condition);
        var current = Get(status, condition.Type);
        if (current is not null && current.Status == condition.Status && current.Reason == condition.Reason)
        {
            return;
        }
        if (current is not null && current.Status == condition.Status)
        {
            condition.LastTransitionTime = current.LastTransitionTime;
        }
        Remove(status, condition.Type);
        status.Conditions ??= [];
        status.Conditions.Add(condition);
    }

    public static void Remove(V1DeploymentStatus status, string type)
    {
        ArgumentNullException.ThrowIfNull(status);
        status.Conditions = status.Conditions?.Where(c => c.Type != type).ToList();
    }

    /// <summary>A progress deadline is set and is not "never" (math.MaxInt32).</summary>
    public static bool HasProgressDeadline(V1Deployment d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return d.Spec.ProgressDeadlineSeconds is { } seconds && seconds != int.MaxValue;
    }
}
