using System.Text;

namespace MiniKube.Agent.Kubelet.Stats;

/// <summary>
/// The kubelet's <c>/metrics/resource</c> endpoint in the Prometheus text format, with the
/// metrics, help texts and labels of upstream's resource metrics collector
/// (pkg/kubelet/metrics/collectors/resource_metrics.go) that metrics-server scrapes: CPU counters
/// in core-seconds and working sets in bytes for the node, each pod and each container, each
/// sample stamped with the time it was read (milliseconds), the containers' start times, and
/// <c>resource_scrape_error</c>.
/// </summary>
internal static class ResourceMetricsText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Build(NodeStatsSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var text = new StringBuilder();
        Family(text, "container_cpu_usage_seconds_total", "Cumulative cpu time consumed by the container in core-seconds", "counter");
        ForContainers(snapshot, (pod, c) => Sample(text, "container_cpu_usage_seconds_total", ContainerLabels(pod, c), Seconds(c.Usage.Usage.CpuUsageCoreNanoSeconds), c.Usage.Usage.Time));
        Family(text, "container_memory_working_set_bytes", "Current working set of the container in bytes", "gauge");
        ForContainers(snapshot, (pod, c) => Sample(text, "container_memory_working_set_bytes", ContainerLabels(pod, c), c.Usage.Usage.WorkingSetBytes, c.Usage.Usage.Time));
        Family(text, "container_start_time_seconds", "Start time of the container since unix epoch in seconds", "gauge");
        ForContainers(snapshot, (pod, c) => Sample(text, "container_start_time_seconds", ContainerLabels(pod, c), c.StartTime.ToUnixTimeMilliseconds() / 1000.0, c.StartTime));
        Family(text, "node_cpu_usage_seconds_total", "Cumulative cpu time consumed by the node in core-seconds", "counter");
        Sample(text, "node_cpu_usage_seconds_total", "", Seconds(snapshot.Node.Usage.CpuUsageCoreNanoSeconds), snapshot.Node.Usage.Time);
        Family(text, "node_memory_working_set_bytes", "Current working set of the node in bytes", "gauge");
        Sample(text, "node_memory_working_set_bytes", "", snapshot.Node.Usage.WorkingSetBytes, snapshot.Node.Usage.Time);
        Family(text, "pod_cpu_usage_seconds_total", "Cumulative cpu time consumed by the pod in core-seconds", "counter");
        foreach (var pod in snapshot.Pods)
        {
            var total = pod.Total().Usage;
            Sample(text, "pod_cpu_usage_seconds_total", PodLabels(pod), Seconds(total.CpuUsageCoreNanoSeconds), total.Time);
        }
        Family(text, "pod_memory_working_set_bytes", "Current working set of the pod in bytes", "gauge");
        foreach (var pod in snapshot.Pods)
        {
            var total = pod.Total().Usage;
            Sample(text, "pod_memory_working_set_bytes", PodLabels(pod), total.WorkingSetBytes, total.Time);
        }
        Family(text, "resource_scrape_error", "1 if there was an error while getting container metrics, 0 otherwise", "gauge");
        text.Append("resource_scrape_error ").Append(snapshot.ContainersFailed ? '1' : '0').Append('\n');
        return text.ToString();
    }

    private static void ForContainers(NodeStatsSnapshot snapshot, Action<PodSample, ContainerSample> write)
    {
        foreach (var pod in snapshot.Pods)
        {
            foreach (var container in pod.Containers)
            {
                write(pod, container);
            }
        }
    }

    private static void Family(StringBuilder text, string name, string help, string type) =>
        text.Append("# HELP ").Append(name).Append(" [STABLE] ").Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Sample(StringBuilder text, string name, string labels, double value, DateTimeOffset time) =>
        text.Append(name).Append(labels).Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture))
            .Append(' ').Append(time.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)).Append('\n');

    private static double Seconds(ulong nanos) => nanos / 1e9;

    private static string ContainerLabels(PodSample pod, ContainerSample container) =>
        $"{{container=\"{Escape(container.Name)}\",namespace=\"{Escape(pod.Namespace)}\",pod=\"{Escape(pod.Name)}\"}}";

    private static string PodLabels(PodSample pod) => $"{{namespace=\"{Escape(pod.Namespace)}\",pod=\"{Escape(pod.Name)}\"}}";

    // The text format's label value escapes: backslash, double quote and line feed.
    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
