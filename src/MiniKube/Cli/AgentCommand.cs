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
        foreach (var option in Node.All)
        {
            Add(option);
        }
    }

    public Option<string> Server { get; } = Flags.Urls("--server", "The server to join, https://HOST:6443 (MKUBE_SERVER or MKUBE_URL)", httpsOnly: true);

    public Option<string> Token { get; } = Flags.Text("--token", null, "Join token: the server's DATA_DIR/server/agent-token (MKUBE_TOKEN)");

    public NodeOptions Node { get; } = new("this node");

    public AgentFlags Bind(ParseResult parsed) => new()
    {
        DataDir = parsed.GetRequiredValue(DataDir),
        Debug = parsed.GetValue(Debug),
        Server = parsed.GetRequiredValue(Server),
        Token = parsed.GetValue(Token),
        Node = Node.Bind(parsed),
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
        var agent = flags.Node.Agent(flags.DataDir);
        return RunHostAsync(flags.Debug, services => services
            .AddDataDirectory(flags.DataDir, "agent")
            .AddJoinedAgent(new JoinSettings(flags.Server, flags.Token), agent)
            .AddAgentIngress()
            .AddSimulatedNodes(flags.Node.Simulated(agent)), cancellationToken);
    }
}
