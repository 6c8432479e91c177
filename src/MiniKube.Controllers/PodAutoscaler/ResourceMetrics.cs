namespace MiniKube.Controllers.PodAutoscaler;

/// <summary>One pod's usage of one resource in milli-units (millicores, millibytes), measured over <see cref="Window"/> up to <see cref="Timestamp"/> (metrics/client.go PodMetric).</summary>
public readonly record struct PodMetric(DateTimeOffset Timestamp, TimeSpan Window, long Value);

/// <summary>The usage of one resource by pod name, and the timestamp of the first PodMetrics item (what upstream's GetResourceMetric returns).</summary>
public sealed record ResourceMetrics(IReadOnlyDictionary<string, PodMetric> Pods, DateTimeOffset Timestamp);

/// <summary>
/// Where the autoscaler reads resource usage (upstream's MetricsClient, resource part): the
/// metrics.k8s.io PodMetrics of the pods a selector matches. Implementations throw
/// <see cref="AutoscalerException"/> with upstream's messages when nothing usable comes back.
/// </summary>
public interface IResourceMetricsClient
{
    /// <summary>
    /// The usage of <paramref name="resource"/> ("cpu", "memory") by each pod of
    /// <paramref name="ns"/> matching <paramref name="selector"/> (label selector text): the sum
    /// over its containers, or only <paramref name="container"/>'s when that is not empty.
    /// </summary>
    Task<ResourceMetrics> GetResourceMetricAsync(string resource, string ns, string selector, string container, CancellationToken cancellationToken);
}
