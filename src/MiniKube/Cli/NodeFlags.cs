using MiniKube.Hosting;

namespace MiniKube.Cli;

/// <summary>What the user asked of the node a mode runs, after layering; see <see cref="NodeOptions"/>.</summary>
public sealed record NodeFlags
{
    public string? NodeName { get; init; }
    public string? NodeIp { get; init; }
    public string Runtime { get; init; } = Defaults.Runtime;
    public bool DisableKubeProxy { get; init; }
    public int KubeletPort { get; init; } = Defaults.KubeletPort;
    public int SimulateNodes { get; init; }
    public TimeSpan SimulatedStartDelay { get; init; }

    /// <summary>The node's agent, keeping its state under <paramref name="dataDir"/>.</summary>
    internal AgentSettings Agent(string dataDir) => new(dataDir, NodeName, NodeIp, Runtime)
    {
        KubeletPort = KubeletPort,
        SimulatedStartDelay = SimulatedStartDelay,
        DisableKubeProxy = DisableKubeProxy,
    };

    /// <summary>The <c>--simulate-nodes</c> nodes beside <paramref name="agent"/>'s node, named after it.</summary>
    internal SimulatedNodesSettings Simulated(AgentSettings agent) =>
        new(SimulateNodes, agent.ResolvedNodeName, agent.DataDir, NodeIp) { StartDelay = SimulatedStartDelay };
}
