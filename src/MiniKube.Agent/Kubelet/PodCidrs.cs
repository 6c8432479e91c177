using System.Net;
using MiniKube.Agent.Runtime;

namespace MiniKube.Agent.Kubelet;

/// <summary>
/// The kubelet's side of pod networking (pkg/kubelet/kubelet_network.go updatePodCIDR and the
/// runtime-state network check): which podCIDR of the Node to hand the runtime, and the texts
/// upstream uses while the runtime's network is not ready.
/// </summary>
internal static class PodCidrs
{
    /// <summary>Upstream's NetworkNotReadyErrorMsg: what a pod sync that waits for the network says.</summary>
    public const string NetworkNotReady = "network is not ready";

    /// <summary>The node's IPv4 podCIDR (from spec.podCIDRs, else spec.podCIDR), or null when it has none yet.</summary>
    public static IPNetwork? Of(V1Node? node) => Network.NodePodCidr.Of(node);

    /// <summary>The kubelet's runtime-state network error (kubelet.go updateRuntimeUp), or null when the runtime's network is ready.</summary>
    public static string? NetworkError(IContainerRuntime runtime) =>
        runtime.NetworkProblem is { } problem
            ? $"container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: {problem}"
            : null;
}
