using System.Net;
using System.Text;

namespace MiniKube.Agent.Network;

/// <summary>
/// The packet rules routed pod traffic needs on every node, in chains of mkube's own (k3s'
/// flannel keeps FLANNEL-FWD and FLANNEL-POSTRTG for the same two jobs):
/// filter <see cref="ForwardChain"/> (<c>MKUBE-POD-FORWARD</c>), hooked at the top of FORWARD, accepts everything from and
/// to the cluster CIDR, so Docker's FORWARD policy DROP (and br_netfilter sending bridged
/// pod-to-pod traffic through FORWARD) does not block it; nat <see cref="PostroutingChain"/>
/// (<c>MKUBE-POD-POSTROUTING</c>),
/// hooked into POSTROUTING, masquerades hostPort hairpin traffic and traffic from the cluster
/// CIDR that leaves it, never pod-to-pod traffic (on this node or, once routes exist, another).
/// Each ensure rewrites both chains whole; the hooks are checked before they are inserted.
/// </summary>
public sealed class PodNetworkRules(Iptables iptables, IPNetwork clusterCidr, string prefix = PodNetworkOptions.DefaultChainPrefix)
{
    public string ForwardChain { get; } = prefix + "-POD-FORWARD";

    public string PostroutingChain { get; } = prefix + "-POD-POSTROUTING";

    private string[] ForwardHook => ["-m", "comment", "--comment", "mkube pod network", "-j", ForwardChain];

    private string[] PostroutingHook => ["-m", "comment", "--comment", "mkube pod network", "-j", PostroutingChain];

    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        await iptables.RestoreAsync(Rules(), cancellationToken);
        await iptables.EnsureRuleAsync("filter", "FORWARD", ForwardHook, cancellationToken);
        await iptables.EnsureRuleAsync("nat", "POSTROUTING", PostroutingHook, cancellationToken);
    }

    /// <summary>Unhooks and deletes both chains.</summary>
    public async Task DeleteAsync(CancellationToken cancellationToken)
    {
        await iptables.DeleteRuleAsync("filter", "FORWARD", ForwardHook, cancellationToken);
        await iptables.DeleteRuleAsync("nat", "POSTROUTING", PostroutingHook, cancellationToken);
        await iptables.DeleteChainsAsync("filter", [ForwardChain], cancellationToken);
        await iptables.DeleteChainsAsync("nat", [PostroutingChain], cancellationToken);
    }

    /// <summary>Both chains as one <c>iptables-restore --noflush</c> input (declaring a chain flushes it).</summary>
    internal string Rules()
    {
        var cidr = clusterCidr.ToString();
        return new StringBuilder()
            .Append("*filter\n")
            .Append(':').Append(ForwardChain).Append(" - [0:0]\n")
            .Append("-A ").Append(ForwardChain).Append(" -s ").Append(cidr).Append(" -m comment --comment \"mkube pods out\" -j ACCEPT\n")
            .Append("-A ").Append(ForwardChain).Append(" -d ").Append(cidr).Append(" -m comment --comment \"mkube pods in\" -j ACCEPT\n")
            .Append("COMMIT\n")
            .Append("*nat\n")
            .Append(':').Append(PostroutingChain).Append(" - [0:0]\n")
            .Append("-A ").Append(PostroutingChain).Append(" -m mark --mark ").Append(HostPortRules.MasqueradeMark).Append(" -m comment --comment \"mkube hostPort hairpin\" -j MASQUERADE\n")
            .Append("-A ").Append(PostroutingChain).Append(" -s ").Append(cidr).Append(" -d ").Append(cidr).Append(" -m comment --comment \"mkube pod to pod\" -j RETURN\n")
            .Append("-A ").Append(PostroutingChain).Append(" -s ").Append(cidr).Append(" ! -d 224.0.0.0/4 -m comment --comment \"mkube pods leaving the cluster\" -j MASQUERADE --random-fully\n")
            .Append("COMMIT\n")
            .ToString();
    }
}
