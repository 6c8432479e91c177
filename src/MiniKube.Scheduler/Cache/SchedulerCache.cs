namespace MiniKube.Scheduler.Cache;

/// <summary>
/// The scheduler's view of where pods are (upstream pkg/scheduler/backend/cache): nodes with their
/// aggregates, the pods counted on them, and which of those are only "assumed" — placed by a
/// decision whose binding the watch has not confirmed yet. Assuming at decision time lets the
/// next pod see the node's new load at once; a failed binding forgets the assumption.
/// Invariant: every pod in the cache is counted on exactly one <see cref="NodeInfo"/> (a ghost
/// one if its node is gone). Not thread-safe: the scheduler uses it under one lock.
/// </summary>
internal sealed class SchedulerCache
{
    private readonly Dictionary<string, NodeInfo> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PodInfo> _pods = new(StringComparer.Ordinal);
    private readonly HashSet<string> _assumed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PodInfo> _withAntiAffinity = new(StringComparer.Ordinal);
    // How many counted pods have each priority: preemption looks for victims only below the lowest.
    private readonly SortedDictionary<int, int> _priorities = [];
    private List<NodeInfo>? _present;

    /// <summary>The nodes that exist, in a stable order (by name) so a rotating start index is fair.</summary>
    public IReadOnlyList<NodeInfo> Nodes => _present ??= [.. _nodes.Values.Where(n => n.Node is not null).OrderBy(n => n.Name, StringComparer.Ordinal)];

    /// <summary>Pods counted on nodes (bound or assumed), by key.</summary>
    public IReadOnlyDictionary<string, PodInfo> Pods => _pods;

    /// <summary>Counted pods that declare required anti-affinity, which every new pod must respect.</summary>
    public IReadOnlyCollection<PodInfo> PodsWithAntiAffinity => _withAntiAffinity.Values;

    public NodeInfo? Node(string name) => _nodes.TryGetValue(name, out var node) && node.Node is not null ? node : null;

    /// <summary>Adds or updates a node; returns whether it is new or changed in a way the filters see.</summary>
    public bool UpsertNode(k8s.Models.V1Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var info = NodeInfoFor(node.Metadata.Name);
        var isNew = info.Node is null;
        var changed = info.SetNode(node);
        if (isNew)
        {
            _present = null;
        }
        return isNew || changed;
    }

    /// <summary>Removes a node; its pods stay counted on a ghost entry until they go too.</summary>
    public void RemoveNode(string name)
    {
        if (_nodes.TryGetValue(name, out var info) && info.Node is not null)
        {
            info.SetNode(null);
            _present = null;
            DropIfEmptyGhost(info);
        }
    }

    public bool IsAssumed(string key) => _assumed.Contains(key);

    /// <summary>Whether any counted pod has a priority below <paramref name="priority"/> (a possible preemption victim).</summary>
    public bool HasPodBelow(int priority) => _priorities.Count > 0 && _priorities.Keys.First() < priority;

    public bool Contains(string key) => _pods.ContainsKey(key);

    /// <summary>Counts a pod on the node a decision chose, before the binding is confirmed.</summary>
    public void Assume(PodInfo pod, string nodeName)
    {
        ArgumentNullException.ThrowIfNull(pod);
        Remove(pod.Key);
        Count(pod, nodeName);
        _assumed.Add(pod.Key);
    }

    /// <summary>Undoes <see cref="Assume"/> after a failed binding; a pod the watch already confirmed stays.</summary>
    public void Forget(string key)
    {
        if (_assumed.Contains(key))
        {
            Remove(key);
        }
    }

    /// <summary>A bound pod seen through the watch: counts it on its node, replacing an assumption or an older version.</summary>
    public void AddOrUpdateBound(PodInfo pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        Remove(pod.Key);
        Count(pod, pod.NodeName ?? throw new ArgumentException("pod is not bound", nameof(pod)));
    }

    /// <summary>Stops counting a pod (deleted, or finished); returns whether it was counted.</summary>
    public bool Remove(string key)
    {
        if (!_pods.Remove(key, out var old))
        {
            return false;
        }
        _assumed.Remove(key);
        _withAntiAffinity.Remove(key);
        if (--_priorities[old.Priority] == 0)
        {
            _priorities.Remove(old.Priority);
        }
        var node = _nodes[old.NodeName!];
        node.RemovePod(old);
        DropIfEmptyGhost(node);
        return true;
    }

    private void Count(PodInfo pod, string nodeName)
    {
        var counted = pod.NodeName == nodeName ? pod : pod.WithNode(nodeName);
        _pods[pod.Key] = counted;
        _priorities[pod.Priority] = _priorities.GetValueOrDefault(pod.Priority) + 1;
        NodeInfoFor(nodeName).AddPod(counted);
        if (counted.AntiAffinityTerms.Count > 0)
        {
            _withAntiAffinity[pod.Key] = counted;
        }
    }

    private NodeInfo NodeInfoFor(string name)
    {
        if (!_nodes.TryGetValue(name, out var info))
        {
            _nodes[name] = info = new NodeInfo(name);
        }
        return info;
    }

    private void DropIfEmptyGhost(NodeInfo node)
    {
        if (node.Node is null && node.PodCount == 0)
        {
            _nodes.Remove(node.Name);
        }
    }
}
