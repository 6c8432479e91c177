using System.Security.Cryptography;
using System.Text;

namespace MiniKube.Agent.Proxy;

/// <summary>
/// The names of the service proxy's iptables chains. Fixed chains carry the <c>MKUBE-</c>
/// prefix so they never meet a real kube-proxy's <c>KUBE-</c> chains on the same host; the
/// per-service and per-endpoint chains are hashed as upstream names them
/// (pkg/proxy/iptables/proxier.go servicePortChainName, servicePortEndpointChainName):
/// base32 of the SHA-256 of the service port name and protocol (and the endpoint), cut to 16
/// characters, since iptables chain names stop at 28.
/// </summary>
internal static class ProxyChains
{
    public const string Services = "MKUBE-SERVICES";
    public const string ExternalServices = "MKUBE-EXTERNAL-SERVICES";
    public const string NodePorts = "MKUBE-NODEPORTS";
    public const string Forward = "MKUBE-FORWARD";
    public const string Postrouting = "MKUBE-POSTROUTING";
    public const string MarkMasquerade = "MKUBE-MARK-MASQ";

    /// <summary>filter chain that drops load-balancer traffic its source ranges did not let through (upstream's KUBE-PROXY-FIREWALL).</summary>
    public const string Firewall = "MKUBE-PROXY-FIREWALL";
    public const string ServicePrefix = "MKUBE-SVC-";
    public const string EndpointPrefix = "MKUBE-SEP-";
    public const string ExternalPrefix = "MKUBE-EXT-";
    public const string LocalPrefix = "MKUBE-SVL-";
    public const string FirewallPrefix = "MKUBE-FW-";

    /// <summary>The bit marking a packet for SNAT on its way out, upstream's default (--iptables-masquerade-bit 14).</summary>
    public const string MasqueradeMark = "0x4000";

    /// <summary>True for the chains made per service or endpoint, the ones a sync may find stale.</summary>
    public static bool IsPerService(string chain) =>
        chain.StartsWith(ServicePrefix, StringComparison.Ordinal) || chain.StartsWith(EndpointPrefix, StringComparison.Ordinal)
        || chain.StartsWith(ExternalPrefix, StringComparison.Ordinal) || chain.StartsWith(LocalPrefix, StringComparison.Ordinal)
        || chain.StartsWith(FirewallPrefix, StringComparison.Ordinal);

    /// <summary>Every fixed chain of the proxy, by table: what a teardown removes besides the per-service ones.</summary>
    public static IReadOnlyList<(string Table, string Chain)> Fixed { get; } =
    [
        ("filter", Services), ("filter", ExternalServices), ("filter", Forward), ("filter", Firewall),
        ("nat", Services), ("nat", NodePorts), ("nat", Postrouting), ("nat", MarkMasquerade),
    ];

    public static string ForService(string servicePortName, string protocol) =>
        ServicePrefix + PortHash(servicePortName, protocol);

    /// <summary>Where a port's node-port and load-balancer traffic enters (upstream's KUBE-EXT-, same hash as the service chain).</summary>
    public static string ForExternal(string servicePortName, string protocol) =>
        ExternalPrefix + PortHash(servicePortName, protocol);

    /// <summary>A port's spread over this node's endpoints only, for externalTrafficPolicy Local (upstream's KUBE-SVL-).</summary>
    public static string ForLocal(string servicePortName, string protocol) =>
        LocalPrefix + PortHash(servicePortName, protocol);

    /// <summary>Where a port's load-balancer traffic passes its source ranges on the way to the external chain (upstream's KUBE-FW-).</summary>
    public static string ForFirewall(string servicePortName, string protocol) =>
        FirewallPrefix + PortHash(servicePortName, protocol);

    public static string ForEndpoint(string servicePortName, string protocol, string endpoint) =>
        EndpointPrefix + Hash(servicePortName + protocol.ToLowerInvariant() + endpoint);

    private static string PortHash(string servicePortName, string protocol) => Hash(servicePortName + protocol.ToLowerInvariant());

    private static string Hash(string text)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        return Base32(digest)[..16];
    }

    // RFC 4648 base32 (Go's base32.StdEncoding), only as far as the 16 characters needed.
    private static string Base32(byte[] data)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var text = new StringBuilder();
        int buffer = 0, bits = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                text.Append(Alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
            if (text.Length >= 16)
            {
                break;
            }
        }
        return text.ToString();
    }
}
