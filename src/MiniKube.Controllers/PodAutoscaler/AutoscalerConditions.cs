using k8s.Models;

namespace MiniKube.Controllers.PodAutoscaler;

/// <summary>
/// horizontal.go setCondition: sets one condition type on an HPA status (appending it when
/// absent); the transition time moves only when the status does.
/// </summary>
public static class AutoscalerConditions
{
    public const string AbleToScale = "AbleToScale";
    public const string ScalingActive = "ScalingActive";
    public const string ScalingLimited = "ScalingLimited";

    public static void Set(V2HorizontalPodAutoscalerStatus status, string type, string conditionStatus, string reason, string message, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(status);
        status.Conditions ??= [];
        var condition = status.Conditions.FirstOrDefault(c => c.Type == type);
        if (condition is null)
        {
            condition = new V2HorizontalPodAutoscalerCondition { Type = type };
            status.Conditions.Add(condition);
        }
        if (condition.Status != conditionStatus)
        {
            condition.LastTransitionTime = now.UtcDateTime;
        }
        condition.Status = conditionStatus;
        condition.Reason = reason;
        condition.Message = message;
    }

    /// <inheritdoc cref="Set(V2HorizontalPodAutoscalerStatus, string, string, string, string, DateTimeOffset)"/>
    public static void Set(V2HorizontalPodAutoscalerStatus status, string type, ConditionChange change, DateTimeOffset now) =>
        Set(status, type, change.Status, change.Reason, change.Message, now);
}
