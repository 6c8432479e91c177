using System.Net;
using System.Text;

namespace MiniKube.Agent.Network;

/// <summary>
/// hostPort as the portmap CNI plugin does it (containernetworking/plugins plugins/meta/portmap):
/// nat <see cref="DispatchChain"/> (<c>MKUBE-HOSTPORTS</c>), jumped to from PREROUTING and OUTPUT for traffic to the
/// node's own addresses, sends each pod's ports to a chain of that pod
/// (<c>MKUBE-HP-</c> + 16 hex digits of its sandbox id) that DNATs them to the pod's
/// address. Traffic from the pod itself (hairpin) or from 127.0.0.1 is marked
/// <see cref="MasqueradeMark"/>, which <see cref="PodNetworkRules"/> masquerades, so the reply
/// comes back through the node. A pod's chain goes with its sandbox.
/// </summary>
public sealed class HostPortRules(Iptables iptables, string prefix = PodNetworkOptions.DefaultChainPrefix)
{
    public string DispatchChain { get; } = prefix + "-HOSTPORTS";

    public string MarkChain { get; } = prefix + "-HOSTPORT-SETMARK";

    private string ChainPrefix { get; } = prefix + "-HP-";

    /// <summary>portmap's own masquerade bit (bit 13), apart from the service proxy's 0x4000.</summary>
    public const string MasqueradeMark = "0x2000/0x2000";

    private string[] LocalHook => ["-m", "addrtype", "--dst-type", "LOCAL", "-m", "comment", "--comment", "mkube hostPorts", "-j", DispatchChain];

    /// <summary>The dispatch and mark chains, created when missing (never flushed: they hold the jumps of running pods), and their hooks.</summary>
    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        var chains = await iptables.ListChainsAsync("nat", cancellationToken);
        var missing = new[] { DispatchChain, MarkChain }.Where(c => !chains.Contains(c)).ToList();
        if (missing.Count > 0)
        {
            var rules = new StringBuilder("*nat\n");
            foreach (var chain in missing)
            {
                rules.Append(':').Append(chain).Append(" - [0:0]\n");
            }
            if (missing.Contains(MarkChain))
            {
                rules.Append("-A ").Append(MarkChain).Append(" -j MARK --set-xmark ").Append(MasqueradeMark).Append('\n');
            }
            await iptables.RestoreAsync(rules.Append("COMMIT\n").ToString(), cancellationToken);
        }
        await iptables.EnsureRuleAsync("nat", "PREROUTING", LocalHook, cancellationToken);
        await iptables.EnsureRuleAsync("nat", "OUTPUT", LocalHook, cancellationToken);
    }

    /// <summary>The pod's chain (rewritten whole) and the jump to it; nothing for a pod without hostPorts.</summary>
    public async Task AddAsync(string sandboxId, IPAddress podIp, IReadOnlyList<Runtime.PortMapping> ports, CancellationToken cancellationToken)
    {
        if (ports.Count == 0)
        {
            return;
        }
        var chain = ChainOf(sandboxId);
        await iptables.RestoreAsync(PodRules(chain, podIp, ports), cancellationToken);
        await iptables.EnsureRuleAsync("nat", DispatchChain, Jump(chain), cancellationToken);
    }

    /// <summary>Takes the pod's chain away, if it has one.</summary>
    public Task RemoveAsync(string sandboxId, CancellationToken cancellationToken) =>
        RemoveChainAsync(ChainOf(sandboxId), cancellationToken);

    /// <summary>The pod chains there are now, by the sandbox-id prefix they carry.</summary>
    public async Task<IReadOnlyList<string>> ListPodChainsAsync(CancellationToken cancellationToken) =>
        [.. (await iptables.ListChainsAsync("nat", cancellationToken)).Where(c => c.StartsWith(ChainPrefix, StringComparison.Ordinal))];

    public async Task RemoveChainAsync(string chain, CancellationToken cancellationToken)
    {
        await iptables.DeleteRuleAsync("nat", DispatchChain, Jump(chain), cancellationToken);
        await iptables.DeleteChainsAsync("nat", [chain], cancellationToken);
    }

    /// <summary>Unhooks and deletes every hostPort chain.</summary>
    public async Task DeleteAllAsync(CancellationToken cancellationToken)
    {
        await iptables.DeleteRuleAsync("nat", "PREROUTING", LocalHook, cancellationToken);
        await iptables.DeleteRuleAsync("nat", "OUTPUT", LocalHook, cancellationToken);
        await iptables.DeleteChainsAsync("nat", [.. await ListPodChainsAsync(cancellationToken), DispatchChain, MarkChain], cancellationToken);
    }

    /// <summary>The chain name of a sandbox: 25 characters with the default prefix, under iptables' 28.</summary>
    public string ChainOf(string sandboxId) => ChainPrefix + sandboxId[..Math.Min(16, sandboxId.Length)];

    /// <summary>One pod's chain as <c>iptables-restore --noflush</c> input.</summary>
    internal string PodRules(string chain, IPAddress podIp, IReadOnlyList<Runtime.PortMapping> ports)
    {
        var rules = new StringBuilder("*nat\n").Append(':').Append(chain).Append(" - [0:0]\n");
        foreach (var port in ports)
        {
            var protocol = port.Protocol.ToLowerInvariant();
            var match = new StringBuilder(" -p ").Append(protocol).Append(" -m ").Append(protocol)
                .Append(" --dport ").Append(port.HostPort.ToString(CultureInfo.InvariantCulture));
            if (!string.IsNullOrEmpty(port.HostIp) && IPAddress.TryParse(port.HostIp, out var hostIp) && !hostIp.Equals(IPAddress.Any))
            {
                match.Insert(0, $" -d {hostIp}/32");
            }
            rules.Append("-A ").Append(chain).Append(" -s ").Append(podIp).Append("/32").Append(match).Append(" -j ").Append(MarkChain).Append('\n');
            rules.Append("-A ").Append(chain).Append(" -s 127.0.0.1/32").Append(match).Append(" -j ").Append(MarkChain).Append('\n');
            rules.Append("-A ").Append(chain).Append(match).Append(" -j DNAT --to-destination ")
                .Append(podIp).Append(':').Append(port.ContainerPort.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        return rules.Append("COMMIT\n").ToString();
    }

    private static string[] Jump(string chain) => ["-j", chain];
}
