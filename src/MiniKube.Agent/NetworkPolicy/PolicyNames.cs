using System.Security.Cryptography;
using System.Text;

namespace MiniKube.Agent.NetworkPolicy;

/// <summary>
/// The names of the network policy controller's iptables chains and ipsets, all under one
/// prefix (<c>MKUBE</c> on a node, the test's own in tests). Per-object names carry 12 hex
/// digits of a SHA-256 of the object's key, as kube-router names KUBE-NWPLCY-/KUBE-POD-FW- chains
/// by a hash, so they fit iptables' 28-character chain names and ipset's 31-character set names
/// for a prefix of up to 8 characters. Every set name starts with <see cref="SetPrefix"/>, so the
/// controller destroys only sets of its own.
/// </summary>
public sealed class PolicyNames(string prefix = PolicyNames.DefaultPrefix)
{
    public const string DefaultPrefix = "MKUBE";

    /// <summary>The mark bit a policy rule sets on a packet it allows (kube-router's 0x10000).</summary>
    public const string AllowMark = "0x10000/0x10000";

    /// <summary>Top-level chain jumped from the top of FORWARD: routed and bridged pod traffic.</summary>
    public string ForwardChain { get; } = prefix + "-NWPLCY-FWD";

    /// <summary>Top-level chain jumped from the top of INPUT: traffic from a pod to its own node.</summary>
    public string InputChain { get; } = prefix + "-NWPLCY-INPUT";

    public string SetPrefix { get; } = prefix + "-NP";

    /// <summary>The temporary sets new contents are built in before they are swapped in.</summary>
    public string TemporaryIpSet => SetPrefix + "TMP-IP";

    public string TemporaryNetSet => SetPrefix + "TMP-NET";

    /// <summary>A policy's ingress rules (<c>-NPI-</c>) or egress rules (<c>-NPE-</c>).</summary>
    public string PolicyChain(string @namespace, string name, bool ingress) => $"{prefix}-NP{(ingress ? 'I' : 'E')}-{Hash($"{@namespace}/{name}")}";

    /// <summary>A local pod's firewall for traffic to it (<c>-PODI-</c>) or from it (<c>-PODE-</c>).</summary>
    public string PodChain(string @namespace, string name, bool ingress) => $"{prefix}-POD{(ingress ? 'I' : 'E')}-{Hash($"{@namespace}/{name}")}";

    /// <summary>
    /// The peers (pods and ipBlocks) of a rule, a hash:net set, named by what defines its members
    /// (<paramref name="definition"/>: the peers' selectors and blocks, resolved to namespaces), so
    /// rules of any policy with the same peers share one set and a pod change rewrites it once.
    /// </summary>
    public string PeerSet(string definition) => $"{SetPrefix}PEER-{Hash(definition)}";

    /// <summary>The pods among some receivers (<paramref name="definition"/> names them, the port name and protocol) whose named port is <paramref name="port"/>, a hash:ip set, shared as <see cref="PeerSet"/> is.</summary>
    public string NamedPortSet(string definition, int port) => $"{SetPrefix}PORT-{Hash($"{definition}/{port}")}";

    /// <summary>Whether a filter chain is one of the per-policy or per-pod chains this controller writes.</summary>
    public bool IsOwnedChain(string chain) =>
        chain.StartsWith(prefix + "-NPI-", StringComparison.Ordinal) || chain.StartsWith(prefix + "-NPE-", StringComparison.Ordinal)
        || chain.StartsWith(prefix + "-PODI-", StringComparison.Ordinal) || chain.StartsWith(prefix + "-PODE-", StringComparison.Ordinal)
        || chain == ForwardChain || chain == InputChain;

    private static string Hash(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..12];
}
