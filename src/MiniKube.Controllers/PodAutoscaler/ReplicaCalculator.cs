using k8s.Models;

namespace MiniKube.Controllers.PodAutoscaler;

/// <summary>A proposal for one resource metric: the replica count, and the usage behind it (utilization in percent of requests when asked for one, the average raw milli-value always).</summary>
public readonly record struct ResourceProposal(int Replicas, int Utilization, long AverageValue);

/// <summary>
/// Upstream's replica arithmetic for resource metrics (pkg/controller/podautoscaler/
/// replica_calculator.go GetResourceReplicas and calcPlainMetricReplicas, metrics/utilization.go),
/// as pure functions of the target's pods, their metrics and the clock: deleted and failed pods
/// are ignored; pending pods and, for CPU, pods not ready or still settling after start count as
/// unready; pods without a metric are missing. With none of the latter two the count is
/// ceil(ratio × ready pods) outside the tolerance. Otherwise missing pods are assumed at 100 % of
/// their request (or the target, if higher) on a scale-down and 0 on a scale-up, unready ones at
/// 0 on a scale-up, and the ratio is worked out again; a result inside the tolerance, or one that
/// would flip the direction of the change, keeps the current count.
/// </summary>
public sealed class ReplicaCalculator(TimeSpan cpuInitializationPeriod, TimeSpan delayOfInitialReadinessStatus)
{
    private const string Cpu = "cpu";

    /// <summary>The proposal for a target utilization (percent of requests) of <paramref name="resource"/>.</summary>
    public ResourceProposal ForUtilization(int currentReplicas, int targetUtilization, string resource, string container, Tolerances tolerances,
        IReadOnlyList<V1Pod> pods, IReadOnlyDictionary<string, PodMetric> podMetrics, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(pods);
        ArgumentNullException.ThrowIfNull(podMetrics);
        var metrics = new Dictionary<string, long>(podMetrics.ToDictionary(p => p.Key, p => p.Value.Value), StringComparer.Ordinal);
        var groups = Group(pods, podMetrics, resource, now);
        if (pods.Count == 0)
        {
            throw new AutoscalerException("no pods returned by selector while calculating replica count");
        }
        groups.RemoveUncounted(metrics);
        if (metrics.Count == 0)
        {
            throw new AutoscalerException("did not receive metrics for targeted pods (pods might be unready)");
        }
        var requests = Requests(pods, container, resource);
        var (usageRatio, utilization, rawAverage) = UtilizationRatio(metrics, requests, targetUtilization);

        var scaleUpWithUnready = groups.Unready.Count > 0 && usageRatio > 1.0;
        if (!scaleUpWithUnready && groups.Missing.Count == 0)
        {
            var replicas = tolerances.IsWithin(usageRatio) ? currentReplicas : Ceiling(usageRatio * groups.Ready);
            return new ResourceProposal(replicas, utilization, rawAverage);
        }
        if (usageRatio < 1.0)
        {
            // On a scale-down a missing pod is taken to use all of its request (or the target, when above 100 %).
            long fallback = Math.Max(100, targetUtilization);
            foreach (var pod in groups.Missing)
            {
                metrics[pod] = requests[pod] * fallback / 100;
            }
        }
        else if (usageRatio > 1.0)
        {
            FillZero(metrics, groups.Missing);
        }
        if (scaleUpWithUnready)
        {
            FillZero(metrics, groups.Unready);
        }
        var (newUsageRatio, _, _) = UtilizationRatio(metrics, requests, targetUtilization);
        return new ResourceProposal(Rebalanced(currentReplicas, usageRatio, newUsageRatio, metrics.Count, tolerances), utilization, rawAverage);
    }

    /// <summary>The proposal for a target average value (milli-units per pod) of <paramref name="resource"/>; Utilization is 0.</summary>
    public ResourceProposal ForAverageValue(int currentReplicas, long targetUsage, string resource, Tolerances tolerances,
        IReadOnlyList<V1Pod> pods, IReadOnlyDictionary<string, PodMetric> podMetrics, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(pods);
        ArgumentNullException.ThrowIfNull(podMetrics);
        if (pods.Count == 0)
        {
            throw new AutoscalerException("no pods returned by selector while calculating replica count");
        }
        var metrics = new Dictionary<string, long>(podMetrics.ToDictionary(p => p.Key, p => p.Value.Value), StringComparer.Ordinal);
        var groups = Group(pods, podMetrics, resource, now);
        groups.RemoveUncounted(metrics);
        if (metrics.Count == 0)
        {
            throw new AutoscalerException("did not receive metrics for targeted pods (pods might be unready)");
        }
        var (usageRatio, usage) = UsageRatio(metrics, targetUsage);

        var scaleUpWithUnready = groups.Unready.Count > 0 && usageRatio > 1.0;
        if (!scaleUpWithUnready && groups.Missing.Count == 0)
        {
            return new ResourceProposal(tolerances.IsWithin(usageRatio) ? currentReplicas : Ceiling(usageRatio * groups.Ready), 0, usage);
        }
        if (usageRatio < 1.0)
        {
            // On a scale-down a missing pod is taken to use exactly the target.
            foreach (var pod in groups.Missing)
            {
                metrics[pod] = targetUsage;
            }
        }
        else if (usageRatio > 1.0)
        {
            FillZero(metrics, groups.Missing);
        }
        if (scaleUpWithUnready)
        {
            FillZero(metrics, groups.Unready);
        }
        var (newUsageRatio, _) = UsageRatio(metrics, targetUsage);
        return new ResourceProposal(Rebalanced(currentReplicas, usageRatio, newUsageRatio, metrics.Count, tolerances), 0, usage);
    }

    /// <summary>groupPods: which pods count, which are unready, which have no metric, which are ignored.</summary>
    private PodGroups Group(IReadOnlyList<V1Pod> pods, IReadOnlyDictionary<string, PodMetric> metrics, string resource, DateTimeOffset now)
    {
        var groups = new PodGroups();
        foreach (var pod in pods)
        {
            var name = pod.Metadata.Name;
            if (pod.Metadata.DeletionTimestamp is not null || pod.Status?.Phase == "Failed")
            {
                groups.Ignored.Add(name);
            }
            else if (pod.Status?.Phase == "Pending")
            {
                groups.Unready.Add(name);
            }
            else if (!metrics.TryGetValue(name, out var metric))
            {
                groups.Missing.Add(name);
            }
            else if (resource == Cpu && IsCpuUnready(pod, metric, now))
            {
                groups.Unready.Add(name);
            }
            else
            {
                groups.Ready++;
            }
        }
        return groups;
    }

    // CPU of a starting pod is not representative: within the initialization period a sample counts only once the pod is
    // ready and a whole metric window has passed since it became so; after it, a pod that never became ready is left out.
    private bool IsCpuUnready(V1Pod pod, PodMetric metric, DateTimeOffset now)
    {
        var ready = pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");
        if (ready is null || pod.Status?.StartTime is not { } started)
        {
            return true;
        }
        var startTime = Utc(started);
        var transition = ready.LastTransitionTime is { } t ? Utc(t) : DateTimeOffset.MinValue;
        if (startTime + cpuInitializationPeriod > now)
        {
            return ready.Status == "False" || metric.Timestamp < transition + metric.Window;
        }
        return ready.Status == "False" && startTime + delayOfInitialReadinessStatus > transition;
    }

    /// <summary>
    /// calculateRequests: each pod's request of <paramref name="resource"/> in milli-units, the sum over its containers and
    /// restartable init containers (sidecars), or only <paramref name="container"/>'s.
    /// </summary>
    private static Dictionary<string, long> Requests(IReadOnlyList<V1Pod> pods, string container, string resource)
    {
        var requests = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            var containers = (pod.Spec?.Containers ?? []).Concat((pod.Spec?.InitContainers ?? []).Where(c => c.RestartPolicy == "Always"));
            long request = 0;
            var found = false;
            foreach (var c in containers)
            {
                if (container.Length > 0 && c.Name != container)
                {
                    continue;
                }
                if (c.Resources?.Requests is not { } list || !list.TryGetValue(resource, out var quantity))
                {
                    throw new AutoscalerException($"missing request for {resource} in container {c.Name} of Pod {pod.Metadata.Name}");
                }
                request += Quantities.Milli(quantity);
                found = true;
                if (container.Length > 0)
                {
                    break;
                }
            }
            if (container.Length > 0 && !found)
            {
                throw new AutoscalerException($"container {container} not found in Pod {pod.Metadata.Name}");
            }
            requests[pod.Metadata.Name] = request;
        }
        return requests;
    }

    /// <summary>GetResourceUtilizationRatio: the ratio to the target, the utilization (integer percent of requests) and the average usage, over pods with a request.</summary>
    private static (double Ratio, int Utilization, long Average) UtilizationRatio(Dictionary<string, long> metrics, Dictionary<string, long> requests, int targetUtilization)
    {
        Int128 metricsTotal = 0;
        Int128 requestsTotal = 0;
        var entries = 0;
        foreach (var (pod, value) in metrics)
        {
            // Metrics of pods not in the list (no request known) are extraneous.
            if (requests.TryGetValue(pod, out var request))
            {
                metricsTotal += value;
                requestsTotal += request;
                entries++;
            }
        }
        if (requestsTotal == 0)
        {
            throw new AutoscalerException("no metrics returned matched known pods");
        }
        var percent = metricsTotal * 100 / requestsTotal;
        var utilization = percent > int.MaxValue ? int.MaxValue : percent < int.MinValue ? int.MinValue : (int)percent;
        return ((double)utilization / targetUtilization, utilization, (long)(metricsTotal / entries));
    }

    /// <summary>GetMetricUsageRatio: the average usage per pod and its ratio to the target.</summary>
    private static (double Ratio, long Usage) UsageRatio(Dictionary<string, long> metrics, long targetUsage)
    {
        Int128 total = 0;
        foreach (var value in metrics.Values)
        {
            total += value;
        }
        var usage = (long)(total / metrics.Count);
        return ((double)usage / targetUsage, usage);
    }

    /// <summary>The count after missing and unready pods were filled in: unchanged when inside the tolerance or when the direction would flip.</summary>
    private static int Rebalanced(int currentReplicas, double usageRatio, double newUsageRatio, int counted, Tolerances tolerances)
    {
        if (tolerances.IsWithin(newUsageRatio) || (usageRatio < 1.0 && newUsageRatio > 1.0) || (usageRatio > 1.0 && newUsageRatio < 1.0))
        {
            return currentReplicas;
        }
        var replicas = Ceiling(newUsageRatio * counted);
        return (newUsageRatio < 1.0 && replicas > currentReplicas) || (newUsageRatio > 1.0 && replicas < currentReplicas) ? currentReplicas : replicas;
    }

    private static void FillZero(Dictionary<string, long> metrics, IEnumerable<string> pods)
    {
        foreach (var pod in pods)
        {
            metrics[pod] = 0;
        }
    }

    private static int Ceiling(double value) => value >= int.MaxValue ? int.MaxValue : (int)Math.Ceiling(value);

    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));

    /// <summary>The pods of one calculation by how they count.</summary>
    private sealed class PodGroups
    {
        public int Ready { get; set; }

        public HashSet<string> Unready { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Missing { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Ignored { get; } = new(StringComparer.Ordinal);

        /// <summary>Ignored and unready pods' metrics are left out of the first ratio.</summary>
        public void RemoveUncounted(Dictionary<string, long> metrics)
        {
            foreach (var pod in Ignored.Concat(Unready))
            {
                metrics.Remove(pod);
            }
        }
    }
}
