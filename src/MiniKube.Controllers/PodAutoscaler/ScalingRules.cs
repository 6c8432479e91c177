using k8s.Models;

namespace MiniKube.Controllers.PodAutoscaler;

/// <summary>
/// An HPA's behavior with every gap filled as the API server's defaults (pkg/apis/autoscaling/v2/
/// defaults.go GenerateHPAScaleUpRules / GenerateHPAScaleDownRules) and the controller
/// (maybeInitScaleDownStabilizationWindow: a scale-down window left unset is
/// --horizontal-pod-autoscaler-downscale-stabilization) would fill them: scale up by at most
/// 4 pods or 100 % per 15 s, whichever is more, with no window; scale down by at most 100 % per
/// 15 s with the controller's window.
/// </summary>
public static class ScalingRules
{
    /// <summary>The rules of <paramref name="behavior"/>, defaults filled in; the cached object is not touched.</summary>
    public static (V2HPAScalingRules Up, V2HPAScalingRules Down) Of(V2HorizontalPodAutoscalerBehavior behavior, TimeSpan downscaleStabilization)
    {
        ArgumentNullException.ThrowIfNull(behavior);
        var up = Fill(behavior.ScaleUp, 0, [new V2HPAScalingPolicy { Type = "Pods", Value = 4, PeriodSeconds = 15 }, new V2HPAScalingPolicy { Type = "Percent", Value = 100, PeriodSeconds = 15 }]);
        var down = Fill(behavior.ScaleDown, (int)downscaleStabilization.TotalSeconds, [new V2HPAScalingPolicy { Type = "Percent", Value = 100, PeriodSeconds = 15 }]);
        return (up, down);
    }

    private static V2HPAScalingRules Fill(V2HPAScalingRules? rules, int window, IList<V2HPAScalingPolicy> policies) => new()
    {
        StabilizationWindowSeconds = rules?.StabilizationWindowSeconds ?? window,
        SelectPolicy = rules?.SelectPolicy ?? "Max",
        Policies = rules?.Policies ?? policies,
        Tolerance = rules?.Tolerance,
    };
}
