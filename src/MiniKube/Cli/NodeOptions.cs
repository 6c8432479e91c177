using System.CommandLine;

namespace MiniKube.Cli;

/// <summary>
/// The flags of the node a mode runs: <c>mkube agent</c>'s node, or <c>mkube server</c>'s local
/// agent. Both modes take them with the same names, types and defaults (as k3s server and agent
/// share their agent flags); only the help text says whose node it is.
/// </summary>
internal sealed class NodeOptions(string node)
{
    public Option<string> NodeName { get; } = Flags.DnsName("--node-name", null, $"Name of {node} (default: the hostname)");

    public Option<string> NodeIp { get; } = Flags.IpAddress("--node-ip", null, $"IP address {node} advertises");

    public Option<string> Runtime { get; } = Flags.Choice("--runtime", Defaults.Runtime, $"Container runtime of {node}: docker, or simulated (pods without containers)", "docker", "simulated");

    public Option<string> FlannelBackend { get; } = Flags.Choice("--flannel-backend", MiniKube.Agent.Network.OverlayBackends.Default,
        $"How pods on {node} reach pods on other nodes: vxlan, host-gw (nodes on one L2), or none", [.. MiniKube.Agent.Network.OverlayBackends.Names]);

    public Option<bool> DisableKubeProxy { get; } = Flags.Switch("--disable-kube-proxy", $"Do not run the service proxy (iptables rules for Services) on {node}");

    public Option<bool> DisableNetworkPolicy { get; } = Flags.Switch("--disable-network-policy", $"Do not enforce NetworkPolicies (iptables and ipset rules) on {node}");

    public Option<int> KubeletPort { get; } = Flags.Port("--kubelet-port", Defaults.KubeletPort, $"HTTPS port of the kubelet API of {node} (0: any free port)", allowAny: true);

    public Option<int> SimulateNodes { get; } = Flags.Count("--simulate-nodes", Defaults.MaxSimulatedNodes,
        "Also run this many simulated nodes (pods without containers), named NODE-NAME-sim-000 and up");

    public Option<TimeSpan> SimulatedStartDelay { get; } = Flags.Duration("--simulated-start-delay", TimeSpan.Zero,
        "How long a simulated container takes to start, e.g. 500ms or 2s");

    public IReadOnlyList<Option> All => [NodeName, NodeIp, Runtime, FlannelBackend, DisableKubeProxy, DisableNetworkPolicy, KubeletPort, SimulateNodes, SimulatedStartDelay];

    public NodeFlags Bind(ParseResult parsed) => new(
        parsed.GetValue(NodeName),
        parsed.GetValue(NodeIp),
        parsed.GetRequiredValue(Runtime),
        parsed.GetValue(DisableKubeProxy),
        parsed.GetValue(KubeletPort),
        parsed.GetValue(SimulateNodes),
        parsed.GetValue(SimulatedStartDelay),
        parsed.GetRequiredValue(FlannelBackend),
        parsed.GetValue(DisableNetworkPolicy));
}
