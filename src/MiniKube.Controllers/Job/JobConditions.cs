using k8s.Models;

namespace MiniKube.Controllers.Job;

/// <summary>
/// The Job condition types, reasons and messages as the v1.32 job controller writes them
/// (pkg/controller/job/job_controller.go). Since JobPodReplacementPolicy went beta a finished Job
/// first gets an interim condition (SuccessCriteriaMet or FailureTarget) and, once none of its
/// pods is still terminating, the terminal one (Complete or Failed) with the same reason and message.
/// </summary>
public static class JobConditions
{
    public const string Complete = "Complete";
    public const string Failed = "Failed";
    public const string SuccessCriteriaMet = "SuccessCriteriaMet";
    public const string FailureTarget = "FailureTarget";
    public const string Suspended = "Suspended";

    public const string CompletionsReached = "CompletionsReached";
    public const string CompletionsReachedMessage = "Reached expected number of succeeded pods";
    public const string BackoffLimitExceeded = "BackoffLimitExceeded";
    public const string BackoffLimitExceededMessage = "Job has reached the specified backoff limit";
    public const string DeadlineExceeded = "DeadlineExceeded";
    public const string DeadlineExceededMessage = "Job was active longer than specified deadline";

    /// <summary>The condition of <paramref name="type"/> when its status is True, else null.</summary>
    public static V1JobCondition? FindTrue(V1JobStatus? status, string type) =>
        status?.Conditions?.FirstOrDefault(c => c.Type == type && c.Status == "True");

    /// <summary>Complete or Failed is True: the job controller (and the ttl controller) treat the Job as done.</summary>
    public static V1JobCondition? Finished(V1Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return FindTrue(job.Status, Complete) ?? FindTrue(job.Status, Failed);
    }

    /// <summary>The terminal condition an interim one leads to.</summary>
    public static string TerminalFor(string interimType) => interimType == SuccessCriteriaMet ? Complete : Failed;

    /// <summary>Sets (or adds) the condition of <paramref name="type"/>; the transition time moves only when the status changes (upstream ensureJobConditionStatus).</summary>
    public static void Ensure(V1JobStatus status, string type, string conditionStatus, string reason, string message, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(status);
        status.Conditions ??= [];
        var existing = status.Conditions.FirstOrDefault(c => c.Type == type);
        if (existing is null)
        {
            // Going from nothing to False says nothing.
            if (conditionStatus == "True")
            {
                status.Conditions.Add(new V1JobCondition { Type = type, Status = conditionStatus, Reason = reason, Message = message, LastProbeTime = now, LastTransitionTime = now });
            }
            return;
        }
        if (existing.Status != conditionStatus || existing.Reason != reason || existing.Message != message)
        {
            if (existing.Status != conditionStatus)
            {
                existing.LastTransitionTime = now;
            }
            existing.Status = conditionStatus;
            existing.Reason = reason;
            existing.Message = message;
            existing.LastProbeTime = now;
        }
    }
}
