using System.Collections.Concurrent;
using MiniKube.Agent.Runtime;
using MiniKube.Agent.Runtime.Stats;

namespace MiniKube.Agent.Kubelet.Stats;

/// <summary>
/// The kubelet's stats provider (pkg/kubelet/stats): asks the runtime for the node's and the
/// running containers' figures, ties containers to the pods this kubelet runs, and adds the CPU
/// rate (usageNanoCores) from the previous reading of the same counter, as cadvisor keeps the last
/// sample. Serves both /stats/summary and /metrics/resource. A counter that went backwards (a
/// container restarted in place) gets no rate for that reading.
/// </summary>
internal sealed class KubeletStats(string nodeName, Informer<V1Pod> pods, IContainerRuntime runtime, TimeProvider time)
{
    // Bounded by what runs here: entries of containers no longer listed are dropped on each reading.
    private readonly ConcurrentDictionary<string, ResourceUsage> _previous = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _started = time.GetUtcNow();
    private const string NodeKey = "";

    public async Task<NodeStatsSnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        var node = Rate(NodeKey, await runtime.NodeUsageAsync(cancellationToken));
        var byUid = new Dictionary<string, V1Pod>(StringComparer.Ordinal);
        foreach (var pod in pods.List())
        {
            byUid[StaticPods.RuntimeUid(pod)] = pod;
        }
        IReadOnlyList<ContainerInfo> running;
        IReadOnlyDictionary<string, ResourceUsage> usage;
        var failed = false;
        try
        {
            running = [.. (await runtime.ListContainersAsync(cancellationToken)).Where(c => c.State == ContainerState.Running && byUid.ContainsKey(c.PodUid))];
            usage = await runtime.ContainerUsageAsync(running, cancellationToken);
        }
        catch (RuntimeUnavailableException)
        {
            // resource_scrape_error 1: the node's figures still go out, as upstream's collector does.
            (running, usage, failed) = ([], new Dictionary<string, ResourceUsage>(), true);
        }
        var samples = new List<PodSample>();
        foreach (var group in running.Where(c => usage.ContainsKey(c.Id)).GroupBy(c => c.PodUid))
        {
            var pod = byUid[group.Key];
            var containers = group
                .GroupBy(c => c.Name)
                .Select(attempts => attempts.MaxBy(c => c.Attempt)!)
                .Select(c => new ContainerSample(c.Name, c.StartedAt ?? node.Usage.Time, Rate(c.Id, usage[c.Id])))
                .OrderBy(c => c.Name, StringComparer.Ordinal)
                .ToList();
            samples.Add(new PodSample(pod.Namespace(), pod.Name(), pod.Uid(), pod.Status?.StartTime is { } start ? new DateTimeOffset(DateTime.SpecifyKind(start, DateTimeKind.Utc)) : containers.Min(c => c.StartTime), containers));
        }
        foreach (var gone in _previous.Keys.Where(k => k != NodeKey && !usage.ContainsKey(k)).ToList())
        {
            _previous.TryRemove(gone, out _);
        }
        return new NodeStatsSnapshot(nodeName, _started, node, samples, failed);
    }

    private RatedUsage Rate(string key, ResourceUsage current)
    {
        ulong? rate = null;
        if (_previous.TryGetValue(key, out var before) && current.Time > before.Time && current.CpuUsageCoreNanoSeconds >= before.CpuUsageCoreNanoSeconds)
        {
            rate = CpuRate.NanoCores(before.CpuUsageCoreNanoSeconds, before.Time, current.CpuUsageCoreNanoSeconds, current.Time);
        }
        _previous[key] = current;
        return new RatedUsage(current, rate);
    }
}
