namespace MiniKube.Controllers.PodAutoscaler;

/// <summary>
/// kube-controller-manager's HPA flags, with their defaults (pkg/controller/podautoscaler/config/
/// v1alpha1/defaults.go), and the metrics source.
/// </summary>
public sealed record HorizontalPodAutoscalerOptions
{
    /// <summary>--horizontal-pod-autoscaler-sync-period: how often every HPA is looked at.</summary>
    public TimeSpan SyncPeriod { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>--horizontal-pod-autoscaler-tolerance: the usage ratio's distance from 1 that changes nothing.</summary>
    public double Tolerance { get; init; } = 0.1;

    /// <summary>--horizontal-pod-autoscaler-cpu-initialization-period: how long after start a pod's CPU samples are doubted.</summary>
    public TimeSpan CpuInitializationPeriod { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>--horizontal-pod-autoscaler-initial-readiness-delay: how long after start a not-ready pod may still become ready.</summary>
    public TimeSpan InitialReadinessDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>--horizontal-pod-autoscaler-downscale-stabilization: the scale-down window of HPAs that set none.</summary>
    public TimeSpan DownscaleStabilization { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The metrics source built from the controller's client; null reads metrics.k8s.io through the API server (<see cref="RestResourceMetricsClient"/>).</summary>
    public Func<IKubernetes, IResourceMetricsClient>? Metrics { get; init; }
}
