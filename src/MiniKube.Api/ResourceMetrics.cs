namespace MiniKube.Api;

/// <summary>
/// The resource metrics of one node as the metrics API serves them (metrics.k8s.io NodeMetrics):
/// the CPU rate over <see cref="Window"/> ending at <see cref="Timestamp"/>, and the working set
/// at the last reading.
/// </summary>
public sealed record NodeUsagePoint(DateTimeOffset Timestamp, TimeSpan Window, ulong CpuNanoCores, ulong MemoryBytes);

/// <summary>One container's share of a <see cref="PodUsagePoint"/>.</summary>
public sealed record ContainerUsagePoint(string Name, ulong CpuNanoCores, ulong MemoryBytes);

/// <summary>The resource metrics of one pod (metrics.k8s.io PodMetrics): one entry per running container.</summary>
public sealed record PodUsagePoint(DateTimeOffset Timestamp, TimeSpan Window, IReadOnlyList<ContainerUsagePoint> Containers);

/// <summary>
/// Where the metrics API reads its figures: the seam between the collector that scrapes the
/// kubelets (the metrics add-on, a client of the API server) and the API server that serves
/// metrics.k8s.io; the executable hands one to the other. Null answers mean "no metrics yet"
/// (fewer than two readings, or the node or pod is unknown to the collector).
/// </summary>
public interface IResourceMetricsSource
{
    NodeUsagePoint? Node(string name);

    PodUsagePoint? Pod(string ns, string name);
}
