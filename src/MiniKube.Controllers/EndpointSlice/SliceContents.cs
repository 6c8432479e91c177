using k8s.Models;

namespace MiniKube.Controllers.EndpointSlice;

/// <summary>The ports and endpoints of one desired slice.</summary>
public sealed record SliceContent(List<Discoveryv1EndpointPort> Ports, List<V1Endpoint> Endpoints);

/// <summary>
/// What a Service's slices should hold (endpointslice/utils.go podToEndpoint, getEndpointPorts):
/// one endpoint per listed pod with its conditions — serving = pod Ready, terminating = being
/// deleted, ready = serving and not terminating (always, with publishNotReadyAddresses) — grouped
/// by the ports the pod resolves, and cut into slices of at most the given size, in a stable order.
/// </summary>
public static class SliceContents
{
    public const string ZoneLabel = "topology.kubernetes.io/zone";

    public static List<SliceContent> For(V1Service service, IEnumerable<V1Pod> pods, Func<string, V1Node?> nodeByName, int maxPerSlice)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(pods);
        ArgumentNullException.ThrowIfNull(nodeByName);
        var servicePorts = service.Spec.Ports ?? [];
        var headless = service.Spec.ClusterIP == "None";
        var groups = new SortedDictionary<string, (List<Discoveryv1EndpointPort> Ports, List<V1Endpoint> Endpoints)>(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            var ports = new List<Discoveryv1EndpointPort>();
            foreach (var servicePort in servicePorts)
            {
                if (EndpointPods.FindPort(pod, servicePort) is { } number)
                {
                    ports.Add(new Discoveryv1EndpointPort { Name = servicePort.Name ?? "", Port = number, Protocol = servicePort.Protocol ?? "TCP", AppProtocol = servicePort.AppProtocol });
                }
            }
            if (ports.Count == 0 && !(servicePorts.Count == 0 && headless))
            {
                continue;
            }
            ports.Sort((a, b) => string.CompareOrdinal(PortKey(a), PortKey(b)));
            var key = string.Join(",", ports.Select(PortKey));
            if (!groups.TryGetValue(key, out var group))
            {
                groups[key] = group = (ports, []);
            }
            group.Endpoints.Add(EndpointFor(pod, service, nodeByName));
        }
        var contents = new List<SliceContent>();
        foreach (var (ports, endpoints) in groups.Values)
        {
            var ordered = endpoints.OrderBy(e => e.Addresses[0], StringComparer.Ordinal).ThenBy(e => e.TargetRef?.Uid, StringComparer.Ordinal).ToList();
            foreach (var chunk in ordered.Chunk(maxPerSlice))
            {
                contents.Add(new SliceContent(ports, [.. chunk]));
            }
        }
        return contents;
    }

    public static bool SamePorts(IList<Discoveryv1EndpointPort>? current, IList<Discoveryv1EndpointPort> desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        return string.Join(",", (current ?? []).Select(PortKey).Order(StringComparer.Ordinal)) == string.Join(",", desired.Select(PortKey).Order(StringComparer.Ordinal));
    }

    /// <summary>Whether two endpoint lists say the same, in order (ours are sorted, so an unchanged slice compares equal).</summary>
    public static bool SameEndpoints(IList<V1Endpoint>? current, IList<V1Endpoint> desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        return (current ?? []).Select(EndpointKey).SequenceEqual(desired.Select(EndpointKey), StringComparer.Ordinal);
    }

    private static V1Endpoint EndpointFor(V1Pod pod, V1Service service, Func<string, V1Node?> nodeByName)
    {
        var serving = EndpointPods.IsReady(pod);
        var terminating = pod.Metadata.DeletionTimestamp is not null;
        var node = pod.Spec?.NodeName is { Length: > 0 } name ? name : null;
        return new V1Endpoint
        {
            Addresses = [EndpointPods.AddressOf(pod)!],
            Conditions = new V1EndpointConditions
            {
                // Ready is never true for a terminating pod, unless the service publishes not-ready addresses.
                Ready = service.Spec.PublishNotReadyAddresses == true || (serving && !terminating),
                Serving = serving,
                Terminating = terminating,
            },
            Hostname = EndpointPods.HostnameFor(pod, service),
            NodeName = node,
            Zone = node is null ? null : nodeByName(node)?.Metadata.Labels?.TryGetValue(ZoneLabel, out var zone) == true ? zone : null,
            TargetRef = EndpointPods.TargetRef(pod),
        };
    }

    private static string PortKey(Discoveryv1EndpointPort p) => $"{p.Name}/{p.Port}/{p.Protocol}/{p.AppProtocol}";

    private static string EndpointKey(V1Endpoint e) =>
        $"{string.Join(",", e.Addresses ?? [])}/{e.Conditions?.Ready}/{e.Conditions?.Serving}/{e.Conditions?.Terminating}/{e.Hostname}/{e.NodeName}/{e.Zone}/{e.TargetRef?.Name}/{e.TargetRef?.Uid}";
}
