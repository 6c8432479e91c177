using MiniKube.Scheduler.Cache;

namespace MiniKube.Scheduler.Framework;

/// <summary>
/// Required pod affinity and anti-affinity (plugins/interpodaffinity/filtering.go). What the pods
/// already placed imply is gathered once per scheduling attempt as topology pairs (label key,
/// value) — e.g. (kubernetes.io/hostname, node-2) — so each node is then checked by a few
/// dictionary lookups:
/// <list type="bullet">
/// <item>affinity: for each of the pod's terms, a node needs the topology label and a pod matching
/// every term in that domain — unless no pod anywhere matches and the pod matches its own terms
/// (the first of a group that wants to run together);</item>
/// <item>anti-affinity: no pod matching one of the pod's terms may share the domain;</item>
/// <item>existing anti-affinity: the pod may not enter a domain whose pods' terms reject it.</item>
/// </list>
/// </summary>
internal sealed class InterPodAffinityFilter
{
    private static readonly FilterFailure AffinityFailure = new(["node(s) didn't match pod affinity rules"], unresolvable: true) { PodAffinity = true };
    private static readonly FilterFailure AntiAffinityFailure = FilterFailure.Of("node(s) didn't match pod anti-affinity rules", unresolvable: false);
    private static readonly FilterFailure ExistingAntiAffinityFailure = FilterFailure.Of("node(s) didn't satisfy existing pods anti-affinity rules", unresolvable: false);

    private readonly PodInfo _pod;
    private readonly Dictionary<(string Key, string Value), int> _affinityCounts = [];
    private readonly HashSet<(string Key, string Value)> _antiAffinityPairs = [];
    private readonly HashSet<(string Key, string Value)> _existingAntiAffinityPairs = [];
    private readonly bool _matchesOwnTerms;

    private InterPodAffinityFilter(PodInfo pod, SchedulerCache cache)
    {
        _pod = pod;
        foreach (var existing in cache.PodsWithAntiAffinity)
        {
            if (NodeLabels(cache, existing) is not { } labels)
            {
                continue;
            }
            foreach (var term in existing.AntiAffinityTerms)
            {
                if (term.Matches(pod) && labels.TryGetValue(term.TopologyKey, out var value))
                {
                    _existingAntiAffinityPairs.Add((term.TopologyKey, value));
                }
            }
        }
        if (pod.AffinityTerms.Count == 0 && pod.AntiAffinityTerms.Count == 0)
        {
            return;
        }
        // The pod's own terms need every placed pod; pods that declare such terms are rare.
        foreach (var other in cache.Pods.Values)
        {
            if (NodeLabels(cache, other) is not { } labels)
            {
                continue;
            }
            if (pod.AffinityTerms.Count > 0 && pod.AffinityTerms.All(t => t.Matches(other)))
            {
                foreach (var term in pod.AffinityTerms)
                {
                    if (labels.TryGetValue(term.TopologyKey, out var value))
                    {
                        _affinityCounts[(term.TopologyKey, value)] = _affinityCounts.GetValueOrDefault((term.TopologyKey, value)) + 1;
                    }
                }
            }
            foreach (var term in pod.AntiAffinityTerms)
            {
                if (term.Matches(other) && labels.TryGetValue(term.TopologyKey, out var value))
                {
                    _antiAffinityPairs.Add((term.TopologyKey, value));
                }
            }
        }
        _matchesOwnTerms = pod.AffinityTerms.All(t => t.Matches(pod));
    }

    /// <summary>The filter for one pod against the cache as it is now; null when no affinity rule can apply.</summary>
    public static InterPodAffinityFilter? For(PodInfo pod, SchedulerCache cache)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(cache);
        return pod.AffinityTerms.Count == 0 && pod.AntiAffinityTerms.Count == 0 && cache.PodsWithAntiAffinity.Count == 0
            ? null
            : new InterPodAffinityFilter(pod, cache);
    }

    public FilterFailure? Check(NodeInfo node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (!SatisfiesAffinity(node))
        {
            return AffinityFailure;
        }
        if (_pod.AntiAffinityTerms.Any(t => node.Labels.TryGetValue(t.TopologyKey, out var value) && _antiAffinityPairs.Contains((t.TopologyKey, value))))
        {
            return AntiAffinityFailure;
        }
        if (_existingAntiAffinityPairs.Count > 0 && node.Labels.Any(l => _existingAntiAffinityPairs.Contains((l.Key, l.Value))))
        {
            return ExistingAntiAffinityFailure;
        }
        return null;
    }

    private bool SatisfiesAffinity(NodeInfo node)
    {
        var podsExist = true;
        foreach (var term in _pod.AffinityTerms)
        {
            if (!node.Labels.TryGetValue(term.TopologyKey, out var value))
            {
                return false;
            }
            if (_affinityCounts.GetValueOrDefault((term.TopologyKey, value)) <= 0)
            {
                podsExist = false;
            }
        }
        return podsExist || (_affinityCounts.Count == 0 && _matchesOwnTerms);
    }

    private static IDictionary<string, string>? NodeLabels(SchedulerCache cache, PodInfo pod) =>
        pod.NodeName is { } name && cache.Node(name) is { } node ? node.Labels : null;
}
