using System.Collections.Concurrent;

namespace MiniKube.Addons.Metrics;

/// <summary>
/// The last two scrapes of every node, and what the metrics API makes of them (metrics-server's
/// pkg/storage): a CPU rate needs two readings of the same counter, so a node or a container has
/// metrics from its second scrape on; the window is the time between the two readings. A
/// container whose start time changed (it restarted) starts over, as does one whose counter went
/// back. A scrape replaces everything the node said before: pods it no longer reports are gone.
/// Readers and the one writer per node may run at the same time; each node's state is one
/// immutable value swapped atomically.
/// </summary>
public sealed class MetricsStore : IResourceMetricsSource
{
    private sealed record NodeState(KubeletScrape? Previous, KubeletScrape Last, DateTimeOffset StoredAt);

    private readonly ConcurrentDictionary<string, NodeState> _nodes = new(StringComparer.Ordinal);

    // Which node last reported each pod, so a pod is found without asking every node.
    private readonly ConcurrentDictionary<NamespacedName, string> _podNodes = new();

    /// <summary>Records a scrape of <paramref name="node"/>.</summary>
    public void Store(string node, KubeletScrape scrape, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(scrape);
        var before = _nodes.TryGetValue(node, out var state) ? state.Last : null;
        _nodes[node] = new NodeState(before, scrape, now);
        foreach (var pod in scrape.Pods.Keys)
        {
            _podNodes[pod] = node;
        }
        if (before is not null)
        {
            foreach (var gone in before.Pods.Keys.Where(p => !scrape.Pods.ContainsKey(p)))
            {
                _podNodes.TryRemove(new KeyValuePair<NamespacedName, string>(gone, node));
            }
        }
    }

    /// <summary>Forgets a node that no longer exists or could not be scraped (and the pods it reported).</summary>
    public void Forget(string node)
    {
        if (_nodes.TryRemove(node, out var state))
        {
            foreach (var pod in state.Last.Pods.Keys)
            {
                _podNodes.TryRemove(new KeyValuePair<NamespacedName, string>(pod, node));
            }
        }
    }

    /// <summary>The nodes that have been scraped at least once.</summary>
    public IReadOnlyCollection<string> Nodes => [.. _nodes.Keys];

    public NodeUsagePoint? Node(string name)
    {
        if (!_nodes.TryGetValue(name, out var state) || state.Previous?.NodeCpu is not { } before || state.Last.NodeCpu is not { } last
            || state.Last.NodeWorkingSetBytes is not { } memory || CpuRate.NanoCores(before.CoreNanoSeconds, before.Time, last.CoreNanoSeconds, last.Time) is not { } rate)
        {
            return null;
        }
        return new NodeUsagePoint(last.Time, last.Time - before.Time, rate, memory);
    }

    public PodUsagePoint? Pod(string ns, string name)
    {
        var key = new NamespacedName(ns, name);
        if (!_podNodes.TryGetValue(key, out var node) || !_nodes.TryGetValue(node, out var state)
            || state.Previous is null || !state.Last.Pods.TryGetValue(key, out var last) || !state.Previous.Pods.TryGetValue(key, out var previous))
        {
            return null;
        }
        var containers = new List<ContainerUsagePoint>(last.Count);
        DateTimeOffset timestamp = default;
        var window = TimeSpan.Zero;
        foreach (var container in last)
        {
            // As metrics-server: a pod is reported only when every container has a rate.
            if (previous.FirstOrDefault(c => c.Name == container.Name) is not { } earlier || earlier.StartTime != container.StartTime
                || CpuRate.NanoCores(earlier.Cpu.CoreNanoSeconds, earlier.Cpu.Time, container.Cpu.CoreNanoSeconds, container.Cpu.Time) is not { } rate)
            {
                return null;
            }
            containers.Add(new ContainerUsagePoint(container.Name, rate, container.WorkingSetBytes));
            if (container.Cpu.Time > timestamp)
            {
                timestamp = container.Cpu.Time;
                window = container.Cpu.Time - earlier.Cpu.Time;
            }
        }
        return containers.Count == 0 ? null : new PodUsagePoint(timestamp, window, containers);
    }
}
