using System.Net;
using System.Text;

namespace MiniKube.Agent.Proxy;

/// <summary>A rule in a built-in chain that sends packets into one of ours; installed once, checked with <c>-C</c> before <c>-I</c>.</summary>
/// <param name="Table">"nat" or "filter".</param>
/// <param name="Chain">The built-in chain, e.g. PREROUTING.</param>
/// <param name="Arguments">The rule after the chain name, as iptables takes it.</param>
internal sealed record JumpRule(string Table, string Chain, IReadOnlyList<string> Arguments)
{
    public override string ToString() => $"-t {Table} {Chain} {string.Join(' ', Arguments)}";
}

/// <summary>
/// The service proxy's whole rule set as one <c>iptables-restore --noflush</c> input: a pure
/// function of the proxied ports and of the per-service chains that exist now. It follows
/// kube-proxy's iptables mode (pkg/proxy/iptables/proxier.go syncProxyRules):
/// <list type="bullet">
/// <item>nat MKUBE-SERVICES: cluster IP:port → MKUBE-SVC-*; last, local destinations → MKUBE-NODEPORTS.</item>
/// <item>nat MKUBE-SERVICES also: load-balancer ingress IP:port → MKUBE-EXT-*, or with source ranges → MKUBE-FW-*, which
/// sends each allowed source on to MKUBE-EXT-* (and, when a range holds the node IP, the ingress IPs themselves, the
/// node's own traffic); whatever falls through is not DNAT'd and filter MKUBE-PROXY-FIREWALL drops it.</item>
/// <item>nat MKUBE-NODEPORTS: node port → MKUBE-EXT-*.</item>
/// <item>nat MKUBE-EXT-*: externalTrafficPolicy Cluster: mark for masquerade, then MKUBE-SVC-*; Local: pods and the node
/// itself to MKUBE-SVC-* (the node's traffic masqueraded), everyone else to MKUBE-SVL-* unmasqueraded, keeping the client IP.</item>
/// <item>nat MKUBE-SVC-* (every endpoint) and MKUBE-SVL-* (this node's): with ClientIP affinity one <c>recent</c> check per
/// endpoint first, then one rule per endpoint, each taken with probability 1/(endpoints left), so the spread is even.</item>
/// <item>nat MKUBE-SEP-*: an endpoint calling its own service (hairpin) is marked for masquerade; then DNAT to pod IP:port
/// (with ClientIP affinity, recording the client in the endpoint's <c>recent</c> list).</item>
/// <item>nat MKUBE-POSTROUTING: masquerade what is marked, clearing the mark.</item>
/// <item>filter MKUBE-SERVICES / MKUBE-EXTERNAL-SERVICES: REJECT a port whose service has no endpoint, rather than letting it
/// time out; DROP external traffic of a Local service without an endpoint on this node.</item>
/// <item>filter MKUBE-FORWARD: accept marked and DNAT'd traffic, which Docker's FORWARD policy (DROP) would drop.</item>
/// </list>
/// Every chain of ours is declared, which makes iptables-restore flush it, and rewritten whole;
/// per-service chains that exist but are no longer wanted are declared too and then deleted
/// (<c>-X</c>) in the same transaction, so a removed service leaves nothing behind.
/// </summary>
internal static class ProxyRules
{
    /// <summary>The jumps from the built-in chains into ours (proxier.go iptablesJumpChains).</summary>
    public static IReadOnlyList<JumpRule> Jumps { get; } =
    [
        new("nat", "PREROUTING", ["-m", "comment", "--comment", "mkube service portals", "-j", ProxyChains.Services]),
        new("nat", "OUTPUT", ["-m", "comment", "--comment", "mkube service portals", "-j", ProxyChains.Services]),
        new("nat", "POSTROUTING", ["-m", "comment", "--comment", "mkube postrouting rules", "-j", ProxyChains.Postrouting]),
        new("filter", "FORWARD", ["-m", "comment", "--comment", "mkube forwarding rules", "-j", ProxyChains.Forward]),
        new("filter", "FORWARD", ["-m", "conntrack", "--ctstate", "NEW", "-m", "comment", "--comment", "mkube service portals", "-j", ProxyChains.Services]),
        new("filter", "OUTPUT", ["-m", "conntrack", "--ctstate", "NEW", "-m", "comment", "--comment", "mkube service portals", "-j", ProxyChains.Services]),
        new("filter", "INPUT", ["-m", "conntrack", "--ctstate", "NEW", "-m", "comment", "--comment", "mkube externally-visible service portals", "-j", ProxyChains.ExternalServices]),
        new("filter", "INPUT", ["-m", "conntrack", "--ctstate", "NEW", "-m", "comment", "--comment", "mkube firewall", "-j", ProxyChains.Firewall]),
        new("filter", "OUTPUT", ["-m", "conntrack", "--ctstate", "NEW", "-m", "comment", "--comment", "mkube firewall", "-j", ProxyChains.Firewall]),
        new("filter", "FORWARD", ["-m", "conntrack", "--ctstate", "NEW", "-m", "comment", "--comment", "mkube firewall", "-j", ProxyChains.Firewall]),
    ];

    /// <param name="ports">What to route, from <see cref="ServicePorts.From(IEnumerable{k8s.Models.V1Service}, IEnumerable{k8s.Models.V1EndpointSlice}, string)"/>.</param>
    /// <param name="existingNatChains">The nat table's chains now (from iptables-save): per-service ones not wanted any more are deleted.</param>
    /// <param name="clusterCidr">The pod range, whose traffic to a Local service's external destinations goes to every endpoint (upstream's local-traffic detector); null when unknown.</param>
    /// <param name="nodeIp">This node's IP: when a source range holds it, the node's own traffic to the ingress IPs passes the firewall (proxier.go allowFromNode); null when unknown.</param>
    public static string Build(IReadOnlyList<ProxiedPort> ports, IEnumerable<string> existingNatChains, string? clusterCidr = null, IPAddress? nodeIp = null)
    {
        ArgumentNullException.ThrowIfNull(ports);
        ArgumentNullException.ThrowIfNull(existingNatChains);
        var filter = new RestoreTable("filter", ProxyChains.Services, ProxyChains.ExternalServices, ProxyChains.Forward, ProxyChains.Firewall);
        var nat = new RestoreTable("nat", ProxyChains.Services, ProxyChains.NodePorts, ProxyChains.Postrouting, ProxyChains.MarkMasquerade);

        var mark = $"{ProxyChains.MasqueradeMark}/{ProxyChains.MasqueradeMark}";
        filter.Rule(ProxyChains.Forward, $"-m comment --comment \"mkube forwarding rules\" -m mark --mark {mark} -j ACCEPT");
        filter.Rule(ProxyChains.Forward, "-m comment --comment \"mkube forwarding conntrack rule\" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
        filter.Rule(ProxyChains.Forward, "-m comment --comment \"mkube service traffic after DNAT\" -m conntrack --ctstate DNAT -j ACCEPT");

        nat.Rule(ProxyChains.Postrouting, $"-m mark ! --mark {mark} -j RETURN");
        // Clear the mark so a packet that is routed again (e.g. through a tunnel) is not masqueraded twice.
        nat.Rule(ProxyChains.Postrouting, $"-j MARK --xor-mark {ProxyChains.MasqueradeMark}");
        nat.Rule(ProxyChains.Postrouting, "-m comment --comment \"mkube service traffic requiring SNAT\" -j MASQUERADE");
        nat.Rule(ProxyChains.MarkMasquerade, $"-j MARK --or-mark {ProxyChains.MasqueradeMark}");

        foreach (var port in ports)
        {
            WritePort(filter, nat, port, clusterCidr, nodeIp);
        }
        nat.Rule(ProxyChains.Services, $"-m comment --comment \"mkube service nodeports; NOTE: this must be the last rule in this chain\" -m addrtype --dst-type LOCAL -j {ProxyChains.NodePorts}");
        foreach (var stale in existingNatChains.Where(ProxyChains.IsPerService).Order(StringComparer.Ordinal))
        {
            nat.DeleteIfUnused(stale);
        }

        var text = new StringBuilder();
        filter.WriteTo(text);
        nat.WriteTo(text);
        return text.ToString();
    }

    private static void WritePort(RestoreTable filter, RestoreTable nat, ProxiedPort port, string? clusterCidr, IPAddress? nodeIp)
    {
        var match = $"-p {port.Protocol} -m {port.Protocol}";
        if (port.Endpoints.Count == 0)
        {
            filter.Rule(ProxyChains.Services, $"-m comment --comment \"{port.Name} has no endpoints\" -d {port.ClusterIp}/32 {match} --dport {port.Port} -j REJECT");
            WriteExternalFilter(filter, port, "has no endpoints", "REJECT");
            return;
        }

        var service = nat.Chain(ProxyChains.ForService(port.Name, port.Protocol));
        nat.Rule(ProxyChains.Services, $"-m comment --comment \"{port.Name} cluster IP\" -d {port.ClusterIp}/32 {match} --dport {port.Port} -j {service}");
        WriteSpread(nat, service, port, port.Endpoints);
        foreach (var endpoint in port.Endpoints.Union(port.LocalEndpoints))
        {
            var endpointChain = nat.Chain(ProxyChains.ForEndpoint(port.Name, port.Protocol, endpoint.ToString()));
            nat.Rule(endpointChain, $"-m comment --comment \"{port.Name}\" -s {endpoint.Ip}/32 -j {ProxyChains.MarkMasquerade}");
            // With ClientIP affinity the endpoint remembers the client, which the service chain's "recent" checks then find.
            var remember = port.AffinitySeconds > 0 ? $"-m recent --set --name {endpointChain} --mask 255.255.255.255 --rsource " : "";
            nat.Rule(endpointChain, $"-m comment --comment \"{port.Name}\" {remember}{match} -j DNAT --to-destination {endpoint}");
        }
        if (!port.HasExternalDestinations)
        {
            return;
        }

        // Node ports and load-balancer IPs go through one external chain (proxier.go externalTrafficChain).
        var external = nat.Chain(ProxyChains.ForExternal(port.Name, port.Protocol));
        var loadBalancer = port.SourceRanges.Count > 0 && port.LoadBalancerIps.Count > 0 ? WriteFirewall(filter, nat, port, external, nodeIp) : external;
        foreach (var ip in port.LoadBalancerIps)
        {
            nat.Rule(ProxyChains.Services, $"-m comment --comment \"{port.Name} loadbalancer IP\" -d {ip}/32 {match} --dport {port.Port} -j {loadBalancer}");
        }
        if (port.NodePort > 0)
        {
            nat.Rule(ProxyChains.NodePorts, $"-m comment --comment \"{port.Name}\" {match} --dport {port.NodePort} -j {external}");
        }
        if (!port.ExternalLocal)
        {
            // Masqueraded so replies come back through this node, whichever node the endpoint is on.
            nat.Rule(external, $"-m comment --comment \"masquerade traffic for {port.Name} external destinations\" -j {ProxyChains.MarkMasquerade}");
            nat.Rule(external, $"-j {service}");
            return;
        }
        // Local: the client's address is kept, so only this node's endpoints can answer. Pods and
        // the node itself are not external clients: they get every endpoint, the node's traffic masqueraded.
        if (clusterCidr is not null)
        {
            nat.Rule(external, $"-m comment --comment \"pod traffic for {port.Name} external destinations\" -s {clusterCidr} -j {service}");
        }
        nat.Rule(external, $"-m comment --comment \"masquerade LOCAL traffic for {port.Name} external destinations\" -m addrtype --src-type LOCAL -j {ProxyChains.MarkMasquerade}");
        nat.Rule(external, $"-m comment --comment \"route LOCAL traffic for {port.Name} external destinations\" -m addrtype --src-type LOCAL -j {service}");
        if (port.LocalEndpoints.Count == 0)
        {
            WriteExternalFilter(filter, port, "has no local endpoints", "DROP");
            return;
        }
        var local = nat.Chain(ProxyChains.ForLocal(port.Name, port.Protocol));
        nat.Rule(external, $"-j {local}");
        WriteSpread(nat, local, port, port.LocalEndpoints);
    }

    /// <summary>
    /// spec.loadBalancerSourceRanges as proxier.go writes them: a firewall chain that passes each
    /// allowed source on to the external chain — and, when a range holds the node IP, traffic
    /// from the ingress IPs, which is how the node's own calls to them arrive — and a filter DROP
    /// for the ingress IP:ports that catches whatever it let fall through un-DNAT'd. The DROP
    /// skips DNAT'd packets, so an endpoint that is the ingress IP:port itself (a hostNetwork pod
    /// on the node) still answers allowed clients. Node ports are not subject to the ranges, as upstream.
    /// Returns the firewall chain, where load-balancer traffic enters.
    /// </summary>
    private static string WriteFirewall(RestoreTable filter, RestoreTable nat, ProxiedPort port, string external, IPAddress? nodeIp)
    {
        var firewall = nat.Chain(ProxyChains.ForFirewall(port.Name, port.Protocol));
        var comment = $"-m comment --comment \"{port.Name} loadbalancer IP\"";
        var allowFromNode = false;
        foreach (var range in port.SourceRanges)
        {
            nat.Rule(firewall, $"{comment} -s {range} -j {external}");
            allowFromNode |= nodeIp is not null && IPNetwork.Parse(range).Contains(nodeIp);
        }
        if (allowFromNode)
        {
            foreach (var ip in port.LoadBalancerIps)
            {
                nat.Rule(firewall, $"{comment} -s {ip}/32 -j {external}");
            }
        }
        var match = $"-p {port.Protocol} -m {port.Protocol}";
        foreach (var ip in port.LoadBalancerIps)
        {
            filter.Rule(ProxyChains.Firewall, $"-m comment --comment \"{port.Name} traffic not accepted by {firewall}\" -m conntrack ! --ctstate DNAT -d {ip}/32 {match} --dport {port.Port} -j DROP");
        }
        return firewall;
    }

    /// <summary>
    /// The jumps from a service chain to its endpoints: with ClientIP affinity first one per
    /// endpoint for clients it has seen within the timeout, then one each taken with probability
    /// 1/(endpoints left), so the spread is even.
    /// </summary>
    private static void WriteSpread(RestoreTable nat, string chain, ProxiedPort port, IReadOnlyList<ProxyEndpoint> endpoints)
    {
        if (port.AffinitySeconds > 0)
        {
            foreach (var endpoint in endpoints)
            {
                var endpointChain = ProxyChains.ForEndpoint(port.Name, port.Protocol, endpoint.ToString());
                nat.Rule(chain, $"-m comment --comment \"{port.Name} -> {endpoint}\" -m recent --rcheck --seconds {port.AffinitySeconds} --reap --name {endpointChain} --mask 255.255.255.255 --rsource -j {endpointChain}");
            }
        }
        for (var i = 0; i < endpoints.Count; i++)
        {
            var endpoint = endpoints[i];
            var left = endpoints.Count - i;
            var pick = left > 1 ? $"-m statistic --mode random --probability {Probability(left)} " : "";
            nat.Rule(chain, $"-m comment --comment \"{port.Name} -> {endpoint}\" {pick}-j {ProxyChains.ForEndpoint(port.Name, port.Protocol, endpoint.ToString())}");
        }
    }

    /// <summary>Filter rules that answer external traffic nobody here can serve: REJECT without endpoints, DROP without local ones (as upstream).</summary>
    private static void WriteExternalFilter(RestoreTable filter, ProxiedPort port, string why, string verdict)
    {
        var match = $"-p {port.Protocol} -m {port.Protocol}";
        foreach (var ip in port.LoadBalancerIps)
        {
            filter.Rule(ProxyChains.ExternalServices, $"-m comment --comment \"{port.Name} {why}\" -d {ip}/32 {match} --dport {port.Port} -j {verdict}");
        }
        if (port.NodePort > 0)
        {
            filter.Rule(ProxyChains.ExternalServices, $"-m comment --comment \"{port.Name} {why}\" -m addrtype --dst-type LOCAL {match} --dport {port.NodePort} -j {verdict}");
        }
    }

    /// <summary>
    /// 1/<paramref name="endpoints"/> as iptables-save prints it: the statistic match keeps the
    /// probability as a fraction of 2³¹ and prints it with 11 decimals (1/3 → 0.33333333349), so
    /// writing that same number keeps our text and iptables-save's in agreement. Upstream writes
    /// 10 decimals, which iptables rounds to the same fraction.
    /// </summary>
    internal static string Probability(int endpoints)
    {
        const double Scale = 0x80000000;
        var fraction = Math.Round(Scale / endpoints, MidpointRounding.AwayFromZero) / Scale;
        return fraction.ToString("F11", CultureInfo.InvariantCulture);
    }

    /// <summary>One table's part of the restore input: chain declarations, rules in order, deletions last.</summary>
    private sealed class RestoreTable
    {
        private readonly string _name;
        private readonly List<string> _chains = [];
        private readonly HashSet<string> _declared = new(StringComparer.Ordinal);
        private readonly List<string> _rules = [];
        private readonly List<string> _deleted = [];

        public RestoreTable(string name, params string[] chains)
        {
            _name = name;
            foreach (var chain in chains)
            {
                Chain(chain);
            }
        }

        public string Chain(string chain)
        {
            if (_declared.Add(chain))
            {
                _chains.Add(chain);
            }
            return chain;
        }

        public void Rule(string chain, string rule) => _rules.Add($"-A {chain} {rule}");

        /// <summary>Deletes <paramref name="chain"/> unless this sync writes it; declaring it first empties it, as -X needs.</summary>
        public void DeleteIfUnused(string chain)
        {
            if (!_declared.Contains(chain))
            {
                Chain(chain);
                _deleted.Add(chain);
            }
        }

        public void WriteTo(StringBuilder text)
        {
            text.Append('*').Append(_name).Append('\n');
            foreach (var chain in _chains)
            {
                text.Append(':').Append(chain).Append(" - [0:0]\n");
            }
            foreach (var rule in _rules)
            {
                text.Append(rule).Append('\n');
            }
            foreach (var chain in _deleted)
            {
                text.Append("-X ").Append(chain).Append('\n');
            }
            text.Append("COMMIT\n");
        }
    }
}
