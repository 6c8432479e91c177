using System.Net;
using k8s.Models;

namespace MiniKube.Api;

/// <summary>
/// Which clients may reach a LoadBalancer Service, as k8s.io/cloud-provider service/helpers
/// GetLoadBalancerSourceRanges reads it (k3s' ServiceLB hands the result to its svclb pods):
/// spec.loadBalancerSourceRanges when it has entries, else the
/// <see cref="Annotation"/> annotation (a comma-separated list), else everyone. Entries are
/// trimmed and, like Go's net.ParseCIDR, masked to their network (<c>10.0.0.7/24</c> is
/// <c>10.0.0.0/24</c>). The API server refuses invalid entries; one that still reaches a reader
/// (stored before validation existed) is skipped, as kube-proxy skips a range it cannot parse.
/// </summary>
public static class LoadBalancerSourceRanges
{
    /// <summary>The annotation that predates the field (core/v1 AnnotationLoadBalancerSourceRangesKey).</summary>
    public const string Annotation = "service.beta.kubernetes.io/load-balancer-source-ranges";

    /// <summary>The ranges allowed in, or null when every source is (nothing specified).</summary>
    public static IReadOnlyList<IPNetwork>? Of(V1Service service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var field = service.Spec?.LoadBalancerSourceRanges;
        if (field is { Count: > 0 })
        {
            return Parse(field);
        }
        var annotation = service.Metadata?.Annotations?.TryGetValue(Annotation, out var value) == true ? value.Trim() : "";
        return annotation.Length == 0 ? null : Parse(annotation.Split(','));
    }

    private static List<IPNetwork> Parse(IEnumerable<string> entries)
    {
        var networks = new List<IPNetwork>();
        foreach (var entry in entries)
        {
            if (Cidr.TryParse(entry.Trim(), out var network) && !networks.Contains(network))
            {
                networks.Add(network);
            }
        }
        return networks;
    }
}
