using System.CommandLine;
using MiniKube.Agent.Network;

namespace MiniKube.Cli;

/// <summary>
/// <c>mkube network teardown</c>: removes what mkube's node networking made on this host — its
/// iptables chains and the rules jumping to them, its ipsets, the bridge <c>mkube0</c>, the VXLAN
/// device <c>mkube.1</c>, pod veths, the routes to other nodes' podCIDRs and the pod address
/// records of the data dir — and nothing else (<see cref="NodeNetworkTeardown"/>). The network
/// half of k3s-killall.sh, for the uninstall and killall scripts to call with mkube stopped
/// (a running agent would make it all again). Safe to run twice; needs root.
/// </summary>
internal sealed class NetworkCommand(CliContext context)
    : CommandGroup("network", "Manage this node's pod network", new TeardownCommand(context))
{
    private sealed class TeardownCommand(CliContext context)
        : ModeCommand("teardown", "Remove mkube's iptables chains, ipsets, bridge, VXLAN device, pod veths and routes from this host (with mkube stopped)")
    {
        protected override async Task<int> RunAsync(ParseResult parsed, CancellationToken cancellationToken)
        {
            if (!Environment.IsPrivilegedProcess)
            {
                await context.Error.WriteLineAsync("Error: mkube network teardown must run as root");
                return 1;
            }
            var ipam = Path.Combine(parsed.GetRequiredValue(DataDir), "agent", "ipam");
            var removed = await new NodeNetworkTeardown(HostCommands.Instance).RunAsync(ipam, cancellationToken);
            foreach (var line in removed)
            {
                await context.Out.WriteLineAsync("Removed " + line);
            }
            if (removed.Count == 0)
            {
                await context.Out.WriteLineAsync("Nothing of mkube's network is left on this host");
            }
            return 0;
        }
    }
}
