using k8s.Models;

namespace MiniKube.Controllers.Endpoints;

/// <summary>
/// The subsets of a Service's Endpoints (endpoints_controller.go syncService + RepackSubsets):
/// each listed pod under the set of ports it resolves, addresses and ports in a stable order so
/// an unchanged service compares equal and is not rewritten.
/// </summary>
public static class EndpointSubsets
{
    public static List<V1EndpointSubset> For(V1Service service, IEnumerable<V1Pod> pods)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(pods);
        var publishNotReady = service.Spec.PublishNotReadyAddresses == true;
        var headless = service.Spec.ClusterIP == "None";
        var servicePorts = service.Spec.Ports ?? [];
        // Port set (as a key) → its ports, ready and not-ready addresses.
        var groups = new SortedDictionary<string, (List<Corev1EndpointPort> Ports, List<V1EndpointAddress> Ready, List<V1EndpointAddress> NotReady)>(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            if (!EndpointPods.ShouldBeListed(pod, includeTerminating: publishNotReady))
            {
                continue;
            }
            var ports = new List<Corev1EndpointPort>();
            foreach (var servicePort in servicePorts)
            {
                if (EndpointPods.FindPort(pod, servicePort) is { } number)
                {
                    ports.Add(new Corev1EndpointPort { Name = servicePort.Name, Port = number, Protocol = servicePort.Protocol ?? "TCP", AppProtocol = servicePort.AppProtocol });
                }
            }
            // A pod resolving none of the ports is no endpoint, except for a headless service declaring no ports at all.
            if (ports.Count == 0 && !(servicePorts.Count == 0 && headless))
            {
                continue;
            }
            ports.Sort(ComparePorts);
            var key = string.Join(",", ports.Select(p => $"{p.Name}/{p.Port}/{p.Protocol}/{p.AppProtocol}"));
            if (!groups.TryGetValue(key, out var group))
            {
                groups[key] = group = (ports, [], []);
            }
            var address = new V1EndpointAddress
            {
                Ip = EndpointPods.AddressOf(pod)!,
                NodeName = pod.Spec.NodeName is { Length: > 0 } node ? node : null,
                Hostname = EndpointPods.HostnameFor(pod, service),
                TargetRef = EndpointPods.TargetRef(pod),
            };
            (publishNotReady || EndpointPods.IsReady(pod) ? group.Ready : group.NotReady).Add(address);
        }
        return [.. groups.Values.Select(g => new V1EndpointSubset
        {
            Addresses = g.Ready.Count == 0 ? null : [.. g.Ready.OrderBy(a => a.Ip, StringComparer.Ordinal).ThenBy(a => a.TargetRef?.Uid, StringComparer.Ordinal)],
            NotReadyAddresses = g.NotReady.Count == 0 ? null : [.. g.NotReady.OrderBy(a => a.Ip, StringComparer.Ordinal).ThenBy(a => a.TargetRef?.Uid, StringComparer.Ordinal)],
            Ports = g.Ports.Count == 0 ? null : g.Ports,
        })];
    }

    /// <summary>Whether two subset lists say the same (ignoring the pods' resourceVersions, as upstream does).</summary>
    public static bool Same(IList<V1EndpointSubset>? current, IList<V1EndpointSubset> desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        return Text(current ?? []) == Text(desired);
    }

    private static string Text(IList<V1EndpointSubset> subsets) => string.Join(";", subsets.Select(s =>
        $"{Addresses(s.Addresses)}|{Addresses(s.NotReadyAddresses)}|{string.Join(",", (s.Ports ?? []).Select(p => $"{p.Name}/{p.Port}/{p.Protocol}/{p.AppProtocol}"))}"));

    private static string Addresses(IList<V1EndpointAddress>? addresses) => string.Join(",", (addresses ?? []).Select(a =>
        $"{a.Ip}/{a.Hostname}/{a.NodeName}/{a.TargetRef?.Kind}/{a.TargetRef?.NamespaceProperty}/{a.TargetRef?.Name}/{a.TargetRef?.Uid}"));

    private static int ComparePorts(Corev1EndpointPort a, Corev1EndpointPort b)
    {
        var byName = string.CompareOrdinal(a.Name, b.Name);
        return byName != 0 ? byName : a.Port.CompareTo(b.Port);
    }
}
