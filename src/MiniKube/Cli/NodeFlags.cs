using MiniKube.Hosting;

namespace MiniKube.Cli;

/// <summary>What the user asked of the node a mode runs, after layering; see <see cref="NodeOptions"/>.</summary>
public sealed record NodeFlags(
    string? NodeName = null,
    string? NodeIp = null,
    string Runtime = Defaults.Runtime,
    bool DisableKubeProxy = false,
    int KubeletPort = Defaults.KubeletPort,
    int SimulateNodes = 0,
    TimeSpan SimulatedStartDelay = default,
    string FlannelBackend = MiniKube.Agent.Network.OverlayBackends.Default,
    bool DisableNetworkPolicy = false)
{
    /// <summary>The node's agent, keeping its state under <paramref name="dataDir"/>.</summary>
    internal AgentSettings Agent(string dataDir) => new(dataDir, NodeName, NodeIp, Runtime)
    {
        KubeletPort = KubeletPort,
        SimulatedStartDelay = SimulatedStartDelay,
        DisableKubeProxy = DisableKubeProxy,
        FlannelBackend = MiniKube.Agent.Network.OverlayBackends.Parse(FlannelBackend),
        DisableNetworkPolicy = DisableNetworkPolicy,
    };

    /// <summary>The <c>--simulate-nodes</c> nodes beside <paramref name="agent"/>'s node, named after it.</summary>
    internal SimulatedNodesSettings Simulated(AgentSettings agent) =>
        new(SimulateNodes, agent.ResolvedNodeName, agent.DataDir, NodeIp) { StartDelay = SimulatedStartDelay };
}
