using System.CommandLine;
using MiniKube.Hosting;

namespace MiniKube.Cli;

/// <summary><c>mkube agent</c>: a worker that joins a server. Flag names follow k3s agent's.</summary>
internal sealed class AgentCommand : ModeCommand
{
    public AgentCommand()
        : base("agent", "Join a server as a worker node that runs pods")
    {
        Add(Server);
        Add(Token);
        Add(NodeName);
        Add(NodeIp);
        Add(Runtime);
        Add(DisableKubeProxy);
        Add(KubeletPort);
        Add(SimulateNodes);
        Add(SimulatedStartDelay);
    }

    public Option<string> Server { get; } = Flags.Urls("--server", "The server to join, https://HOST:6443 (MKUBE_SERVER or MKUBE_URL)", httpsOnly: true);

    public Option<string> Token { get; } = Flags.Text("--token", null, "Join token from the server's data dir (MKUBE_TOKEN)");

    public Option<string> NodeName { get; } = Flags.DnsName("--node-name", null, "Name of this node (default: the hostname)");

    public Option<string> NodeIp { get; } = Flags.IpAddress("--node-ip", null, "IP address this node advertises");

    public Option<string> Runtime { get; } = Flags.Choice("--runtime", Defaults.Runtime, "Container runtime: docker, or simulated (pods without containers)", "docker", "simulated");

    public Option<bool> DisableKubeProxy { get; } = Flags.Switch("--disable-kube-proxy", "Do not run the service proxy (iptables rules for Services)");

    public Option<int> KubeletPort { get; } = Flags.Port("--kubelet-port", Defaults.KubeletPort, "HTTPS port of the kubelet's API (0: any free port)", allowAny: true);

    public Option<int> SimulateNodes { get; } = Flags.Count("--simulate-nodes", Defaults.MaxSimulatedNodes,
        "Also run this many simulated nodes (pods without containers), named NODE-NAME-sim-000 and up");

    public Option<TimeSpan> SimulatedStartDelay { get; } = Flags.Duration("--simulated-start-delay", TimeSpan.Zero,
        "How long a simulated container takes to start, e.g. 500ms or 2s");

    public AgentFlags Bind(ParseResult parsed) => new()
    {
        DataDir = parsed.GetRequiredValue(DataDir),
        Debug = parsed.GetValue(Debug),
        Server = parsed.GetRequiredValue(Server),
        Token = parsed.GetValue(Token),
        NodeName = parsed.GetValue(NodeName),
        NodeIp = parsed.GetValue(NodeIp),
        Runtime = parsed.GetRequiredValue(Runtime),
        DisableKubeProxy = parsed.GetValue(DisableKubeProxy),
        KubeletPort = parsed.GetValue(KubeletPort),
        SimulateNodes = parsed.GetValue(SimulateNodes),
        SimulatedStartDelay = parsed.GetValue(SimulatedStartDelay),
    };

    public override void CheckRequired(ParseResult parsed)
    {
        if (parsed.GetValue(Server) is null)
        {
            throw new UsageException("--server is required (or MKUBE_URL, or \"server:\" in the config file)");
        }
        // After the first join the agent keeps its credentials; only a first start needs the token.
        var joined = parsed.GetValue(DataDir) is { } dataDir && File.Exists(Path.Combine(dataDir, "agent", "credentials"));
        if (parsed.GetValue(Token) is null && !joined)
        {
            throw new UsageException("--token is required (or MKUBE_TOKEN, or \"token:\" in the config file)");
        }
    }

    protected override Task<int> RunAsync(ParseResult parsed, CancellationToken cancellationToken)
    {
        var flags = Bind(parsed);
        var agent = new AgentSettings(flags.DataDir, flags.NodeName, flags.NodeIp, flags.Runtime) { KubeletPort = flags.KubeletPort, SimulatedStartDelay = flags.SimulatedStartDelay, DisableKubeProxy = flags.DisableKubeProxy };
        return RunHostAsync(flags.Debug, services => services
            .AddDataDirectory(flags.DataDir, "agent")
            .AddJoinedAgent(new JoinSettings(flags.Server, flags.Token), agent)
            .AddSimulatedNodes(new SimulatedNodesSettings(flags.SimulateNodes, agent.ResolvedNodeName, flags.DataDir, flags.NodeIp) { StartDelay = flags.SimulatedStartDelay }), cancellationToken);
    }
}
