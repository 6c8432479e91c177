using System.Net;
using System.Net.Sockets;

namespace MiniKube.Agent.Network;

/// <summary>Which podCIDR of a Node the pod network uses: the first IPv4 one of spec.podCIDRs, else spec.podCIDR (IPv4 only, as the rest of the pod network).</summary>
public static class NodePodCidr
{
    /// <summary>The node's IPv4 podCIDR, or null when it has none yet.</summary>
    public static IPNetwork? Of(V1Node? node)
    {
        var cidrs = node?.Spec?.PodCIDRs is { Count: > 0 } all ? all : node?.Spec?.PodCIDR is { } one ? [one] : [];
        foreach (var cidr in cidrs)
        {
            if (IPNetwork.TryParse(cidr, out var parsed) && parsed.BaseAddress.AddressFamily == AddressFamily.InterNetwork)
            {
                return parsed;
            }
        }
        return null;
    }
}
