
namespace MiniKube.Scheduler.Cache;

/// <summary>
/// One node as the scheduler sees it (upstream framework.NodeInfo): the node's facts plus running
/// aggregates of the pods counted on it — bound and assumed — so that a scheduling decision never
/// re-sums pods. Every pod add and remove adjusts the aggregates in O(1). Not thread-safe: the
/// <see cref="SchedulerCache"/> that owns it is used under one lock.
/// </summary>
internal sealed class NodeInfo(string name)
{
    private static readonly Dictionary<string, string> NoLabels = new(StringComparer.Ordinal);

    public string Name { get; } = name;

    /// <summary>The node object; null for a "ghost" that only holds pods bound to a node the cache no longer has.</summary>
    public V1Node? Node { get; private set; }

    public IDictionary<string, string> Labels { get; private set; } = NoLabels;

    /// <summary>spec.unschedulable (cordoned).</summary>
    public bool Unschedulable { get; private set; }

    /// <summary>
    /// NoSchedule and NoExecute taints, in the node's order, followed by the not-ready or unreachable
    /// taint the node lifecycle controller would add for the Ready condition if the node lacks it.
    /// </summary>
    public IReadOnlyList<V1Taint> Taints { get; private set; } = [];

    /// <summary>PreferNoSchedule taints: they never filter, they only lower the node's score for pods that do not tolerate them.</summary>
    public IReadOnlyList<V1Taint> PreferNoScheduleTaints { get; private set; } = [];

    public ResourceAmounts Allocatable { get; private set; } = new();

    public long AllowedPods { get; private set; }

    public ResourceAmounts Requested { get; } = new();

    public long NonZeroMilliCpu { get; private set; }

    public long NonZeroMemory { get; private set; }

    public int PodCount { get; private set; }

    /// <summary>Host ports in use: (protocol, port) → host IP → how many pods hold it. Null while none.</summary>
    public Dictionary<(string Protocol, int Port), Dictionary<string, int>>? UsedPorts { get; private set; }

    /// <summary>Pods counted here by controlling owner uid. Null while none.</summary>
    public Dictionary<string, int>? PodsByOwner { get; private set; }

    /// <summary>What the filters look at, to tell whether an update could let a waiting pod fit.</summary>
    public string SchedulingSignature { get; private set; } = "";

    public int OwnerCount(string? ownerUid) =>
        ownerUid is not null && PodsByOwner is not null && PodsByOwner.TryGetValue(ownerUid, out var count) ? count : 0;

    /// <summary>Takes the node's latest object; returns whether anything the filters read changed.</summary>
    public bool SetNode(V1Node? node)
    {
        Node = node;
        if (node is null)
        {
            return false;
        }
        Labels = node.Metadata.Labels ?? NoLabels;
        Unschedulable = node.Spec?.Unschedulable == true;
        Taints = SchedulingTaints(node);
        PreferNoScheduleTaints = [.. (node.Spec?.Taints ?? []).Where(t => t.Effect == "PreferNoSchedule")];
        var allocatable = node.Status?.Allocatable ?? node.Status?.Capacity;
        var amounts = new ResourceAmounts();
        amounts.Add(allocatable);
        Allocatable = amounts;
        AllowedPods = allocatable is not null && allocatable.TryGetValue("pods", out var pods) ? Quantities.Value(pods) : 0;
        var signature = Signature();
        var changed = signature != SchedulingSignature;
        SchedulingSignature = signature;
        return changed;
    }

    public void AddPod(PodInfo pod) => Count(pod, 1);

    public void RemovePod(PodInfo pod) => Count(pod, -1);

    private void Count(PodInfo pod, int sign)
    {
        Requested.Add(pod.Requests, sign);
        NonZeroMilliCpu += sign * pod.NonZeroMilliCpu;
        NonZeroMemory += sign * pod.NonZeroMemory;
        PodCount += sign;
        foreach (var port in pod.HostPorts)
        {
            UsedPorts ??= [];
            var key = (port.Protocol, port.Port);
            if (!UsedPorts.TryGetValue(key, out var ips))
            {
                UsedPorts[key] = ips = new Dictionary<string, int>(StringComparer.Ordinal);
            }
            var left = ips.GetValueOrDefault(port.Ip) + sign;
            if (left > 0)
            {
                ips[port.Ip] = left;
            }
            else
            {
                ips.Remove(port.Ip);
                if (ips.Count == 0)
                {
                    UsedPorts.Remove(key);
                }
            }
        }
        if (pod.OwnerUid is { } owner)
        {
            PodsByOwner ??= new Dictionary<string, int>(StringComparer.Ordinal);
            var left = PodsByOwner.GetValueOrDefault(owner) + sign;
            if (left > 0)
            {
                PodsByOwner[owner] = left;
            }
            else
            {
                PodsByOwner.Remove(owner);
            }
        }
    }

    /// <summary>
    /// Taints that can keep pods off the node. Upstream leaves Ready to the node lifecycle
    /// controller, which taints a NotReady node node.kubernetes.io/not-ready and one whose Ready
    /// is Unknown node.kubernetes.io/unreachable (pkg/controller/nodelifecycle); reading the
    /// condition too keeps the scheduler right while that controller has not acted (or is absent).
    /// </summary>
    private static V1Taint[] SchedulingTaints(V1Node node)
    {
        var taints = (node.Spec?.Taints ?? []).Where(t => t.Effect is "NoSchedule" or "NoExecute").ToList();
        var ready = node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.Status;
        var implied = ready switch
        {
            "True" => null,
            "Unknown" => Api.Taints.Unreachable,
            _ => Api.Taints.NotReady,
        };
        if (implied is not null && !taints.Any(t => t.Key == implied))
        {
            taints.Add(new V1Taint { Key = implied, Effect = "NoSchedule" });
        }
        return [.. taints];
    }

    private string Signature()
    {
        var builder = new System.Text.StringBuilder();
        builder.Append(Unschedulable).Append('|').Append(Allocatable.MilliCpu).Append(',').Append(Allocatable.Memory)
            .Append(',').Append(Allocatable.EphemeralStorage).Append(',').Append(AllowedPods).Append('|');
        foreach (var (name, value) in Allocatable.Scalars ?? [])
        {
            builder.Append(name).Append('=').Append(value).Append(',');
        }
        builder.Append('|');
        foreach (var (key, value) in Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            builder.Append(key).Append('=').Append(value).Append(',');
        }
        builder.Append('|');
        foreach (var taint in Taints)
        {
            builder.Append(taint.Key).Append('=').Append(taint.Value).Append(':').Append(taint.Effect).Append(',');
        }
        return builder.ToString();
    }
}
