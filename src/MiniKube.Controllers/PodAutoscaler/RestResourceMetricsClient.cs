using k8s.Models;
using MiniKube.Client.Dynamic;

namespace MiniKube.Controllers.PodAutoscaler;

/// <summary>
/// Reads PodMetrics from <c>metrics.k8s.io/v1beta1</c> through the API server (which routes the
/// group to whatever serves it, usually through an APIService), as
/// pkg/controller/podautoscaler/metrics/client.go's resourceMetricsClient: one LIST of the
/// namespace's pods by label selector; a pod counts only when every container reports the
/// resource (or, for a container metric, when that container does), and a container named in a
/// ContainerResource metric must appear in every item.
/// </summary>
public sealed class RestResourceMetricsClient(IKubernetes client) : IResourceMetricsClient
{
    private readonly RawApi _api = new(client);

    public async Task<ResourceMetrics> GetResourceMetricAsync(string resource, string ns, string selector, string container, CancellationToken cancellationToken)
    {
        PodMetricsList list;
        try
        {
            var path = $"apis/metrics.k8s.io/v1beta1/namespaces/{Uri.EscapeDataString(ns)}/pods?labelSelector={Uri.EscapeDataString(selector)}";
            list = KubernetesJson.Deserialize<PodMetricsList>(await _api.SendAsync(HttpMethod.Get, path, null, cancellationToken));
        }
        catch (HttpOperationException e)
        {
            throw new AutoscalerException($"unable to fetch metrics from resource metrics API: {ApiErrors.StatusMessage(e)}", e);
        }
        catch (HttpRequestException e)
        {
            throw new AutoscalerException($"unable to fetch metrics from resource metrics API: {e.Message}", e);
        }
        var items = list.Items?.ToList() ?? [];
        if (items.Count == 0)
        {
            throw new AutoscalerException("no metrics returned from resource metrics API");
        }
        var pods = container.Length > 0 ? ContainerUsage(items, resource, container) : PodUsage(items, resource);
        return new ResourceMetrics(pods, Timestamp(items[0]));
    }

    private static Dictionary<string, PodMetric> PodUsage(List<PodMetrics> items, string resource)
    {
        var usage = new Dictionary<string, PodMetric>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var containers = item.Containers?.ToList() ?? [];
            // A pod without containers, or with one not reporting the resource, has no metric (it counts as missing).
            if (containers.Count == 0 || containers.Any(c => c.Usage is null || !c.Usage.ContainsKey(resource)))
            {
                continue;
            }
            usage[item.Metadata.Name] = Metric(item, containers.Sum(c => Quantities.Milli(c.Usage[resource])));
        }
        return usage;
    }

    private static Dictionary<string, PodMetric> ContainerUsage(List<PodMetrics> items, string resource, string container)
    {
        var usage = new Dictionary<string, PodMetric>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var found = item.Containers?.FirstOrDefault(c => c.Name == container)
                ?? throw new AutoscalerException($"failed to get container metrics: container {container} not present in metrics for pod {item.Metadata.NamespaceProperty}/{item.Metadata.Name}");
            if (found.Usage is not null && found.Usage.TryGetValue(resource, out var value))
            {
                usage[item.Metadata.Name] = Metric(item, Quantities.Milli(value));
            }
        }
        return usage;
    }

    private static PodMetric Metric(PodMetrics item, long value) =>
        new(Timestamp(item), GoDuration.TryParse(item.Window ?? "", out var window) is null ? window : TimeSpan.Zero, value);

    private static DateTimeOffset Timestamp(PodMetrics item) =>
        item.Timestamp is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : DateTimeOffset.MinValue;
}
