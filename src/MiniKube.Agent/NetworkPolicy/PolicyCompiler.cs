using System.Net;
using System.Net.Sockets;

namespace MiniKube.Agent.NetworkPolicy;

/// <summary>What the compiler reads: the cluster's NetworkPolicies, Pods and Namespaces (from the informers) and the node it enforces on.</summary>
public sealed record PolicyState(IReadOnlyCollection<V1NetworkPolicy> Policies, IReadOnlyCollection<V1Pod> Pods, IReadOnlyCollection<V1Namespace> Namespaces, string NodeName);

/// <summary>
/// NetworkPolicy → iptables + ipset, a pure function (the role of kube-router's
/// pkg/controllers/netpol policy.go and pod.go, in our own layout). For each pod of this node
/// that some policy selects in a direction, a pod chain (<c>-PODI-</c> for traffic to it,
/// <c>-PODE-</c> from it) is jumped from the top-level chains by the pod's address; it clears the
/// allow mark, jumps to the chain of every policy selecting the pod in that direction (policies
/// are a union), and REJECTs what none marked, as kube-router does. Each policy rule is one
/// iptables rule per port that sets the mark: peers (pods by podSelector and/or
/// namespaceSelector, ipBlocks with <c>except</c> as <c>nomatch</c> entries) are one hash:net set
/// per distinct peer definition, shared by every rule with the same peers; named ports become a
/// hash:ip set per resolved number of the pods that resolve to it (the selected pods for ingress,
/// the peer pods for egress). Rules are written as iptables-save prints them, so the periodic
/// resync can compare them with the host's as text. Pods no policy selects in a
/// direction get no chain: their traffic is allowed, as upstream requires. Replies of allowed
/// connections pass by conntrack state before any pod chain; traffic from the node itself to its
/// pods is allowed (kube-router's <c>--src-type LOCAL</c> rule). IPv4 only.
/// </summary>
public static class PolicyCompiler
{
    private const string Ingress = "Ingress";
    private const string Egress = "Egress";

    public static PolicyRuleSet Compile(PolicyState state, PolicyNames names)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(names);
        var context = new Context(state, names);
        var top = new List<string> { "-m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment \"replies of allowed connections\" -j RETURN" };
        var input = new List<string>(top);
        var podChains = new List<PolicyChain>();
        var policyChains = new SortedDictionary<string, PolicyChain>(StringComparer.Ordinal);
        foreach (var (pod, address) in context.LocalPods)
        {
            foreach (var ingress in new[] { true, false })
            {
                var selecting = context.Selecting(pod, ingress);
                if (selecting.Count == 0)
                {
                    continue;
                }
                var podChain = names.PodChain(pod.Namespace(), pod.Name(), ingress);
                var what = $"{pod.Namespace()}/{pod.Name()} {(ingress ? "ingress" : "egress")}";
                var rules = new List<string> { "-m conntrack --ctstate INVALID -j DROP" };
                if (ingress)
                {
                    rules.Add("-m addrtype --src-type LOCAL -m comment --comment \"from the node\" -j RETURN");
                    top.Add($"-d {address}/32 -m comment --comment \"{what}\" -j {podChain}");
                }
                else
                {
                    top.Add($"-s {address}/32 -m comment --comment \"{what}\" -j {podChain}");
                    input.Add($"-s {address}/32 -m comment --comment \"{what}\" -j {podChain}");
                }
                rules.Add("-j MARK --set-xmark 0x0/0x10000");
                foreach (var policy in selecting)
                {
                    var chain = names.PolicyChain(policy.Namespace(), policy.Name(), ingress);
                    rules.Add($"-j {chain}");
                    if (!policyChains.ContainsKey(chain))
                    {
                        policyChains[chain] = new PolicyChain(chain, context.PolicyRules(policy, ingress));
                    }
                }
                rules.Add($"-m mark --mark {PolicyNames.AllowMark} -j RETURN");
                rules.Add($"-m comment --comment \"{what}: no policy allows it\" -j REJECT --reject-with icmp-port-unreachable");
                podChains.Add(new PolicyChain(podChain, rules));
            }
        }
        return new PolicyRuleSet(
            [.. context.Sets.Values],
            [new PolicyChain(names.ForwardChain, top), new PolicyChain(names.InputChain, input), .. podChains, .. policyChains.Values]);
    }

    /// <summary>Whether the policy applies to ingress or egress: its policyTypes, defaulted as the API server does when absent (Ingress always, Egress when it has egress rules).</summary>
    public static bool Applies(V1NetworkPolicy policy, bool ingress)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var types = policy.Spec?.PolicyTypes;
        if (types is { Count: > 0 })
        {
            return types.Contains(ingress ? Ingress : Egress, StringComparer.Ordinal);
        }
        return ingress || policy.Spec?.Egress is { Count: > 0 };
    }

    /// <summary>A pod that takes part in policies: it has an IPv4 address, is not on the host network and has not finished.</summary>
    internal static IPAddress? AddressOf(V1Pod pod)
    {
        if (pod.Spec?.HostNetwork == true || pod.Status?.Phase is "Succeeded" or "Failed"
            || !IPAddress.TryParse(pod.Status?.PodIP, out var address) || address.AddressFamily != AddressFamily.InterNetwork)
        {
            return null;
        }
        return address;
    }

    /// <summary>The number a named port has on <paramref name="pod"/> for <paramref name="protocol"/>, or null.</summary>
    internal static int? ResolveNamedPort(V1Pod pod, string name, string protocol) =>
        pod.Spec?.Containers?
            .SelectMany(c => c.Ports ?? [])
            .FirstOrDefault(p => p.Name == name && string.Equals(p.Protocol ?? "TCP", protocol, StringComparison.OrdinalIgnoreCase))?
            .ContainerPort;

    private sealed class Context
    {
        private readonly PolicyNames _names;
        private readonly List<(V1Pod Pod, IPAddress Address)> _pods;
        private readonly Dictionary<string, IDictionary<string, string>> _namespaceLabels;
        private readonly ILookup<string, (V1Pod Pod, IPAddress Address)> _podsByNamespace;
        private readonly ILookup<string, (V1Pod Pod, IPAddress Address)> _localByNamespace;
        private readonly ILookup<string, V1NetworkPolicy> _policies;
        private readonly Dictionary<V1NetworkPolicy, LabelSelector> _podSelectors = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<string, List<(int Number, IReadOnlyList<string> Addresses)>> _namedPorts = new(StringComparer.Ordinal);

        public Context(PolicyState state, PolicyNames names)
        {
            _names = names;
            _pods = [.. state.Pods
                .Select(p => (Pod: p, Address: AddressOf(p)))
                .Where(p => p.Address is not null)
                .Select(p => (p.Pod, p.Address!))
                .OrderBy(p => p.Pod.Namespace(), StringComparer.Ordinal).ThenBy(p => p.Pod.Name(), StringComparer.Ordinal)];
            _podsByNamespace = _pods.ToLookup(p => p.Pod.Namespace(), StringComparer.Ordinal);
            _namespaceLabels = state.Namespaces.ToDictionary(n => n.Name(), n => n.Labels() ?? new Dictionary<string, string>(), StringComparer.Ordinal);
            _policies = state.Policies.OrderBy(p => p.Name(), StringComparer.Ordinal).ToLookup(p => p.Namespace(), StringComparer.Ordinal);
            LocalPods = [.. _pods.Where(p => p.Pod.Spec?.NodeName == state.NodeName)];
            _localByNamespace = LocalPods.ToLookup(p => p.Pod.Namespace(), StringComparer.Ordinal);
        }

        public List<(V1Pod Pod, IPAddress Address)> LocalPods { get; }

        public SortedDictionary<string, IpSetSpec> Sets { get; } = new(StringComparer.Ordinal);

        /// <summary>The policies of the pod's namespace that select it for the direction.</summary>
        public List<V1NetworkPolicy> Selecting(V1Pod pod, bool ingress) =>
            [.. _policies[pod.Namespace()].Where(p => Applies(p, ingress) && Selects(p, pod))];

        /// <summary>Whether the policy's podSelector selects the pod (same namespace assumed).</summary>
        private bool Selects(V1NetworkPolicy policy, V1Pod pod) => PodSelector(policy).Matches(pod.Labels());

        /// <summary>The policy's podSelector; an absent one selects every pod, as an empty one does.</summary>
        private LabelSelector PodSelector(V1NetworkPolicy policy)
        {
            if (!_podSelectors.TryGetValue(policy, out var selector))
            {
                selector = _podSelectors[policy] = Selector(policy.Spec?.PodSelector ?? new V1LabelSelector());
            }
            return selector;
        }

        /// <summary>The rules of one policy chain; none (a default deny) when the policy has no rules for the direction.</summary>
        public List<string> PolicyRules(V1NetworkPolicy policy, bool ingress)
        {
            var rules = new List<string>();
            var specRules = ingress
                ? (policy.Spec?.Ingress ?? []).Select(r => (Peers: r.FromProperty, r.Ports)).ToList()
                : (policy.Spec?.Egress ?? []).Select(r => (Peers: r.To, r.Ports)).ToList();
            var direction = ingress ? "src" : "dst";
            for (var i = 0; i < specRules.Count; i++)
            {
                var (peers, ports) = specRules[i];
                var comment = $"-m comment --comment \"{policy.Namespace()}/{policy.Name()} {(ingress ? "ingress" : "egress")} rule {i}\"";
                string peerMatch = "";
                string? peerDefinition = null;
                if (peers is { Count: > 0 })
                {
                    peerDefinition = string.Join(" | ", peers.Select(peer => Describe(policy, peer)));
                    var set = _names.PeerSet(peerDefinition);
                    if (!Sets.ContainsKey(set))
                    {
                        var entries = new List<string>();
                        foreach (var peer in peers)
                        {
                            entries.AddRange(peer.IpBlock is { } block ? BlockEntries(block) : PeerPods(policy, peer).Select(p => p.Address + "/32"));
                        }
                        Sets[set] = new IpSetSpec(set, IpSetSpec.HashNet, [.. entries.Distinct(StringComparer.Ordinal)]);
                    }
                    peerMatch = $"-m set --match-set {set} {direction} ";
                }
                // Named ports are resolved on the pods that receive the traffic: the selected pods for ingress, the peers (or, with no peers, every pod) for egress.
                var receivers = ingress
                    ? ($"pods [{Describe(PodSelector(policy))}] of {policy.Namespace()} on this node", () => [.. _localByNamespace[policy.Namespace()].Where(p => Selects(policy, p.Pod))])
                    : peers is { Count: > 0 }
                        ? (peerDefinition!, () => [.. peers.Where(p => p.IpBlock is null).SelectMany(p => PeerPods(policy, p))])
                        : ("every pod", (Func<List<(V1Pod Pod, IPAddress Address)>>)(() => _pods));
                foreach (var (protocol, port) in PortMatches(ports, receivers))
                {
                    rules.Add($"{protocol}{peerMatch}{port}{comment} -j MARK --set-xmark {PolicyNames.AllowMark}");
                }
            }
            return rules;
        }

        /// <summary>
        /// The match of each port of a rule ("" for all ports), as the protocol and the rest:
        /// iptables-save prints <c>-p</c> before every other match, and rules are written as it
        /// prints them so a resync can compare text. Named ports add their sets.
        /// </summary>
        private List<(string Protocol, string Match)> PortMatches(IList<V1NetworkPolicyPort>? ports, (string Definition, Func<List<(V1Pod Pod, IPAddress Address)>> Pods) receivers)
        {
            if (ports is not { Count: > 0 })
            {
                return [("", "")];
            }
            var matches = new List<(string, string)>();
            foreach (var port in ports)
            {
                var protocol = (port.Protocol ?? "TCP").ToLowerInvariant();
                var value = port.Port?.Value;
                if (value is null)
                {
                    matches.Add(($"-p {protocol} ", ""));
                }
                else if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
                {
                    var range = port.EndPort is { } end && end > number ? $"{number}:{end}" : number.ToString(CultureInfo.InvariantCulture);
                    matches.Add(($"-p {protocol} ", $"-m {protocol} --dport {range} "));
                }
                else
                {
                    var definition = $"{receivers.Definition} / port {value}/{protocol}";
                    if (!_namedPorts.TryGetValue(definition, out var resolved))
                    {
                        resolved = _namedPorts[definition] = [.. receivers.Pods()
                            .Select(r => (r.Address, Number: ResolveNamedPort(r.Pod, value, protocol)))
                            .Where(r => r.Number is not null)
                            .GroupBy(r => r.Number!.Value)
                            .OrderBy(g => g.Key)
                            .Select(g => (g.Key, (IReadOnlyList<string>)[.. g.Select(r => r.Address.ToString()).Distinct(StringComparer.Ordinal)]))];
                    }
                    foreach (var (resolvedPort, addresses) in resolved)
                    {
                        var set = _names.NamedPortSet(definition, resolvedPort);
                        Sets[set] = new IpSetSpec(set, IpSetSpec.HashIp, addresses);
                        matches.Add(($"-p {protocol} ", $"-m set --match-set {set} dst -m {protocol} --dport {resolvedPort} "));
                    }
                }
            }
            return matches;
        }

        /// <summary>What defines the members of a peer, for the name of the set it is in: its selectors (canonical) resolved to namespaces, or its block.</summary>
        private static string Describe(V1NetworkPolicy policy, V1NetworkPolicyPeer peer) =>
            peer.IpBlock is { } block ? $"ipBlock {block.Cidr} except [{string.Join(",", block.Except ?? [])}]"
            : peer.NamespaceSelector is null ? $"pods [{Describe(peer.PodSelector is null ? LabelSelector.Everything : Selector(peer.PodSelector))}] of {policy.Namespace()}"
            : $"pods [{Describe(peer.PodSelector is null ? LabelSelector.Everything : Selector(peer.PodSelector))}] of namespaces [{Describe(Selector(peer.NamespaceSelector))}]";

        /// <summary>A selector's canonical text; "nothing" for one that selects nothing (which prints as empty, as everything does).</summary>
        private static string Describe(LabelSelector selector) => ReferenceEquals(selector, LabelSelector.Nothing) ? "nothing" : selector.ToString();

        /// <summary>The pods a pod/namespace peer selects: podSelector alone within the policy's namespace, namespaceSelector across namespaces, or both.</summary>
        private IEnumerable<(V1Pod Pod, IPAddress Address)> PeerPods(V1NetworkPolicy policy, V1NetworkPolicyPeer peer)
        {
            var pods = peer.PodSelector is null ? LabelSelector.Everything : Selector(peer.PodSelector);
            if (peer.NamespaceSelector is null)
            {
                return _podsByNamespace[policy.Namespace()].Where(p => pods.Matches(p.Pod.Labels()));
            }
            var namespaces = Selector(peer.NamespaceSelector);
            return _namespaceLabels
                .Where(n => namespaces.Matches(n.Value))
                .OrderBy(n => n.Key, StringComparer.Ordinal)
                .SelectMany(n => _podsByNamespace[n.Key])
                .Where(p => pods.Matches(p.Pod.Labels()));
        }

        /// <summary>
        /// An ipBlock as hash:net entries: the CIDR, and each except as a nomatch entry (the most
        /// specific entry decides). hash:net cannot hold a /0, so 0.0.0.0/0 is its two halves, as
        /// kube-router does. IPv6 blocks are left out (the pod network is IPv4).
        /// </summary>
        private static IEnumerable<string> BlockEntries(V1IPBlock block)
        {
            if (!IPNetwork.TryParse(block.Cidr, out var cidr) || cidr.BaseAddress.AddressFamily != AddressFamily.InterNetwork)
            {
                yield break;
            }
            foreach (var entry in Halves(cidr))
            {
                yield return entry;
            }
            foreach (var except in block.Except ?? [])
            {
                if (IPNetwork.TryParse(except, out var excluded) && excluded.BaseAddress.AddressFamily == AddressFamily.InterNetwork)
                {
                    foreach (var entry in Halves(excluded))
                    {
                        yield return entry + " nomatch";
                    }
                }
            }
        }

        private static string[] Halves(IPNetwork network) =>
            network.PrefixLength == 0 ? ["0.0.0.0/1", "128.0.0.0/1"] : [network.ToString()];

        /// <summary>A selector the API server accepted; one it would not have (an old object) selects nothing rather than stopping every policy.</summary>
        private static LabelSelector Selector(V1LabelSelector selector)
        {
            try
            {
                return LabelSelector.From(selector);
            }
            catch (InvalidSelectorException)
            {
                return LabelSelector.Nothing;
            }
        }
    }
}
