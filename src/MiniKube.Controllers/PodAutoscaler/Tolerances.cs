namespace MiniKube.Controllers.PodAutoscaler;

/// <summary>
/// How far the usage ratio may stray from 1 before the replica count changes
/// (replica_calculator.go Tolerances): below 1 − <see cref="ScaleDown"/> or above
/// 1 + <see cref="ScaleUp"/>. Both come from --horizontal-pod-autoscaler-tolerance (0.1) unless
/// the HPA's behavior rules set their own.
/// </summary>
public readonly record struct Tolerances(double ScaleDown, double ScaleUp)
{
    /// <summary>True when <paramref name="usageRatio"/> is close enough to 1 to leave the count alone.</summary>
    public bool IsWithin(double usageRatio) => 1.0 - ScaleDown <= usageRatio && usageRatio <= 1.0 + ScaleUp;
}
