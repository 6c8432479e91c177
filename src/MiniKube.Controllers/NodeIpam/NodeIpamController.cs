using k8s.Models;
using IPNetwork = System.Net.IPNetwork;

namespace MiniKube.Controllers.NodeIpam;

/// <summary>
/// kube-controller-manager's <c>nodeipam</c> controller with the range allocator
/// (pkg/controller/nodeipam/ipam/range_allocator.go): every Node gets <c>spec.podCIDR</c> and
/// <c>spec.podCIDRs</c>, one subnet of each cluster CIDR (one per IP family), so each node hands
/// out pod addresses of its own. Subnets Nodes already carry are taken first, before any is handed
/// out; a deleted Node's subnets are freed. When a range is exhausted the Node gets upstream's
/// <c>CIDRNotAvailable</c> event and is tried again later. One worker: the sets are not shared.
/// </summary>
public sealed partial class NodeIpamController : Controller<NamespacedName>
{
    private readonly Informer<V1Node> _nodes;
    private readonly IReadOnlyList<CidrSet> _sets;

    // What this controller holds for each node: freed when the node goes.
    private readonly Dictionary<string, IPNetwork[]> _held = new(StringComparer.Ordinal);
    private bool _started;

    public NodeIpamController(ControllerContext context, NodeIpamOptions options)
        : base(context, "nodeipam", workers: 1, eventSource: "cidrAllocator")
    {
        ArgumentNullException.ThrowIfNull(options);
        _sets = [.. options.ClusterCidrs.Select(cidr => new CidrSet(cidr, options.MaskSizeFor(cidr)))];
        _nodes = context.Informers.For(KubeListWatches.Nodes).EnqueueKeys(Queue);
    }

    public override async Task SyncAsync(NamespacedName key, CancellationToken cancellationToken)
    {
        if (!_started)
        {
            // Upstream's constructor does this from a node list: nothing is handed out before every
            // subnet already on a Node is marked taken (the manager syncs the caches before any sync).
            foreach (var known in _nodes.List())
            {
                Hold(known.Metadata.Name, CidrsOf(known));
            }
            _started = true;
        }
        var node = _nodes.Get(key);
        if (node is null)
        {
            if (_held.Remove(key.Name, out var freed))
            {
                Release(freed);
                LogReleased(key.Name, freed);
            }
            return;
        }
        var current = CidrsOf(node);
        if (current.Length > 0)
        {
            Hold(key.Name, current);
            return;
        }
        // Held but not yet on the Node: a patch that failed, or one the cache has not shown yet.
        if (!_held.TryGetValue(key.Name, out var cidrs))
        {
            cidrs = Allocate(node);
            _held[key.Name] = cidrs;
        }
        var cidrTexts = cidrs.Select(c => c.ToString()).ToList();
        var patch = new V1Node { Spec = new V1NodeSpec { PodCIDR = cidrTexts[0], PodCIDRs = cidrTexts } };
        try
        {
            await Client.CoreV1.PatchNodeAsync(new V1Patch(KubernetesJson.Serialize(patch), V1Patch.PatchType.MergePatch), key.Name, cancellationToken: cancellationToken);
        }
        catch (k8s.Autorest.HttpOperationException e)
        {
            _held.Remove(key.Name);
            Release(cidrs);
            Events.Record(node, EventTypes.Normal, "CIDRAssignmentFailed", $"Node {key.Name} status is now: CIDRAssignmentFailed");
            throw new SyncRetryException($"assigning {string.Join(",", cidrTexts)} to node {key.Name}: {e.Message}", e);
        }
        LogAssigned(key.Name, cidrs);
    }

    // One subnet from each set, or none at all.
    private IPNetwork[] Allocate(V1Node node)
    {
        var taken = new List<IPNetwork>();
        foreach (var set in _sets)
        {
            if (set.AllocateNext() is not { } cidr)
            {
                Release(taken);
                Events.Record(node, EventTypes.Normal, "CIDRNotAvailable", $"Node {node.Metadata.Name} status is now: CIDRNotAvailable");
                throw new SyncRetryException($"no pod CIDR left in {set.Cluster} for node {node.Metadata.Name}");
            }
            taken.Add(cidr);
        }
        return [.. taken];
    }

    private void Hold(string node, IPNetwork[] cidrs)
    {
        if (cidrs.Length == 0)
        {
            return;
        }
        if (_held.TryGetValue(node, out var before) && !before.SequenceEqual(cidrs))
        {
            Release(before);
        }
        foreach (var cidr in cidrs)
        {
            // A subnet outside every cluster CIDR (set by hand, or a CIDR flag changed) is the node's own business.
            _ = _sets.FirstOrDefault(s => s.SameFamily(cidr))?.Occupy(cidr);
        }
        _held[node] = cidrs;
    }

    private void Release(IEnumerable<IPNetwork> cidrs)
    {
        foreach (var cidr in cidrs)
        {
            _ = _sets.FirstOrDefault(s => s.SameFamily(cidr))?.Release(cidr);
        }
    }

    private static IPNetwork[] CidrsOf(V1Node node)
    {
        var texts = node.Spec?.PodCIDRs is { Count: > 0 } list ? list : node.Spec?.PodCIDR is { Length: > 0 } one ? [one] : [];
        return [.. texts.Select(t => IPNetwork.TryParse(t, out var cidr) ? cidr : (IPNetwork?)null).OfType<IPNetwork>()];
    }

    [LoggerMessage(EventId = LogEvents.Controllers + 850, Level = LogLevel.Information, Message = "Assigned pod CIDRs {Cidrs} to node {Node}")]
    private partial void LogAssigned(string node, IPNetwork[] cidrs);

    [LoggerMessage(EventId = LogEvents.Controllers + 851, Level = LogLevel.Information, Message = "Released pod CIDRs {Cidrs} of deleted node {Node}")]
    private partial void LogReleased(string node, IPNetwork[] cidrs);
}

/// <summary>
/// The node IPAM settings: kube-controller-manager's <c>--cluster-cidr</c> (one CIDR per IP family)
/// and <c>--node-cidr-mask-size-ipv4|ipv6</c> (k3s: /24 and /64 by default).
/// </summary>
public sealed record NodeIpamOptions(IReadOnlyList<IPNetwork> ClusterCidrs, int MaskSizeIPv4 = 24, int MaskSizeIPv6 = 64)
{
    /// <summary>The node mask size for <paramref name="cidr"/>'s family.</summary>
    public int MaskSizeFor(IPNetwork cidr) => cidr.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? MaskSizeIPv4 : MaskSizeIPv6;

    /// <summary>Parses a comma-separated <c>--cluster-cidr</c> (at most one IPv4 and one IPv6 range).</summary>
    public static IReadOnlyList<IPNetwork> ParseCidrs(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var cidrs = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(IPNetwork.Parse).ToList();
        if (cidrs.Count == 0 || cidrs.GroupBy(c => c.BaseAddress.AddressFamily).Any(g => g.Count() > 1))
        {
            throw new FormatException($"\"{text}\" must be one CIDR, or one IPv4 and one IPv6 CIDR separated by a comma");
        }
        return cidrs;
    }
}
