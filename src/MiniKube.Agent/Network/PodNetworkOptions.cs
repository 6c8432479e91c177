using System.Net;
using System.Net.NetworkInformation;

namespace MiniKube.Agent.Network;

/// <summary>
/// How one node's pod network is laid out. Only the cluster CIDR and where IPAM keeps its files
/// have no default; names carry mkube's prefix so nothing of Docker's or anyone else's is touched.
/// </summary>
public sealed class PodNetworkOptions
{
    /// <summary>DATA_DIR/agent/ipam: allocations live in a folder per network below it.</summary>
    public required string IpamDirectory { get; init; }

    /// <summary>The whole pod range (<c>--cluster-cidr</c>): forwarded freely, masqueraded only when leaving it.</summary>
    public required IPNetwork ClusterCidr { get; init; }

    /// <summary>The bridge's name (<c>cni0</c> in k3s); its first address is the node's podCIDR's first.</summary>
    public string BridgeName { get; init; } = DefaultBridge;

    public const string DefaultBridge = "mkube0";

    /// <summary>Host ends of pod veths are named this plus 12 hex digits of the sandbox id (15 characters, the kernel's limit).</summary>
    public const string VethPrefix = "mkv";

    /// <summary>The chains' name prefix (<c>MKUBE-POD-FORWARD</c>, <c>MKUBE-HOSTPORTS</c>, …); at most 8 characters, so a pod's hostPort chain stays within iptables' 28.</summary>
    public string ChainPrefix { get; init; } = DefaultChainPrefix;

    public const string DefaultChainPrefix = "MKUBE";

    /// <summary>The IPAM folder's name under <see cref="IpamDirectory"/> (host-local's network name).</summary>
    public string NetworkName { get; init; } = DefaultNetworkName;

    public const string DefaultNetworkName = "mkube";

    /// <summary>How pod traffic reaches other nodes (<c>--flannel-backend</c>); see <see cref="OverlayNetwork"/>.</summary>
    public OverlayBackend Backend { get; init; } = OverlayBackend.Vxlan;

    /// <summary>The VXLAN device's name (<c>flannel.1</c> in k3s).</summary>
    public string OverlayDevice { get; init; } = DefaultOverlayDevice;

    public const string DefaultOverlayDevice = "mkube.1";

    /// <summary>The node's address; its link's MTU (less VXLAN's overhead with that backend) is the pods' MTU unless <see cref="Mtu"/> says otherwise.</summary>
    public string? NodeIp { get; init; }

    /// <summary>The MTU of the bridge and every pod link; null picks it as flannel does (see <see cref="ResolveMtu"/>).</summary>
    public int? Mtu { get; init; }

    // As flannel: the vxlan backend leaves its 50 bytes of encapsulation free (MTU = link MTU − 50);
    // host-gw routes packets as they are, so pods get the link's full MTU.
    private const int VxlanOverhead = 50;
    private const int EthernetMtu = 1500;

    private int Overhead => Backend == OverlayBackend.Vxlan ? VxlanOverhead : 0;

    /// <summary><see cref="Mtu"/>, or the node link's MTU less the backend's overhead, or Ethernet's 1500 less it.</summary>
    public int ResolveMtu()
    {
        if (Mtu is { } mtu)
        {
            return mtu;
        }
        var fallback = EthernetMtu - Overhead;
        if (NodeIp is null || !IPAddress.TryParse(NodeIp, out var node))
        {
            return fallback;
        }
        var link = NetworkInterface.GetAllNetworkInterfaces()
            .FirstOrDefault(n => n.GetIPProperties().UnicastAddresses.Any(a => a.Address.Equals(node)));
        return link?.GetIPProperties().GetIPv4Properties()?.Mtu is { } linkMtu && linkMtu > Overhead ? linkMtu - Overhead : fallback;
    }
}
