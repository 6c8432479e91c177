using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MiniKube.Agent.Network;

/// <summary>What another node publishes for its pods to be reached: its podCIDR, the address the overlay sends to, and (VXLAN) its VTEP's MAC.</summary>
public sealed record OverlayPeer(string Node, IPNetwork PodCidr, IPAddress PublicIp, string? VtepMac);

/// <summary>
/// The Node annotations flannel's kube subnet manager publishes and reads
/// (flannel pkg/subnet/kube/annotations.go): <c>flannel.alpha.coreos.com/backend-type</c>,
/// <c>backend-data</c> (<c>{"VNI":1,"VtepMAC":"…"}</c> for VXLAN, <c>null</c> for host-gw),
/// <c>public-ip</c> and <c>kube-subnet-manager</c>. mkube writes the same keys and values, so a
/// node's overlay facts read the same to anyone who knows flannel's. A peer counts only once it
/// has a podCIDR and has published for the same backend as this node (flannel ignores a lease of
/// another backend type the same way).
/// </summary>
public static class FlannelAnnotations
{
    private const string Prefix = "flannel.alpha.coreos.com/";
    public const string BackendType = Prefix + "backend-type";
    public const string BackendData = Prefix + "backend-data";
    public const string PublicIp = Prefix + "public-ip";
    public const string KubeSubnetManager = Prefix + "kube-subnet-manager";

    /// <summary>The annotations this node publishes for <paramref name="backend"/>.</summary>
    public static IReadOnlyDictionary<string, string> For(OverlayBackend backend, IPAddress publicIp, string? vtepMac)
    {
        ArgumentNullException.ThrowIfNull(publicIp);
        var data = backend == OverlayBackend.Vxlan
            ? new JsonObject { ["VNI"] = VxlanDevice.Vni, ["VtepMAC"] = vtepMac ?? throw new ArgumentNullException(nameof(vtepMac)) }.ToJsonString()
            : "null";
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [BackendType] = OverlayBackends.NameOf(backend),
            [BackendData] = data,
            [PublicIp] = publicIp.ToString(),
            [KubeSubnetManager] = "true",
        };
    }

    /// <summary>True when <paramref name="node"/> already carries every one of <paramref name="wanted"/> with the same value.</summary>
    public static bool Carries(V1Node node, IReadOnlyDictionary<string, string> wanted)
    {
        ArgumentNullException.ThrowIfNull(wanted);
        var annotations = node?.Metadata?.Annotations;
        return wanted.All(w => annotations is not null && annotations.TryGetValue(w.Key, out var value) && value == w.Value);
    }

    /// <summary>
    /// The peer <paramref name="node"/> is for a node running <paramref name="backend"/>, or null
    /// when it cannot be reached that way yet: no IPv4 podCIDR, nothing published, another
    /// backend, a public IP or (VXLAN) VTEP MAC that does not parse.
    /// </summary>
    public static OverlayPeer? PeerOf(V1Node node, OverlayBackend backend)
    {
        ArgumentNullException.ThrowIfNull(node);
        var annotations = node.Metadata?.Annotations;
        if (annotations is null
            || NodePodCidr.Of(node) is not { } podCidr
            || !annotations.TryGetValue(BackendType, out var type) || type != OverlayBackends.NameOf(backend)
            || !annotations.TryGetValue(PublicIp, out var ip) || !IPAddress.TryParse(ip, out var publicIp))
        {
            return null;
        }
        if (backend != OverlayBackend.Vxlan)
        {
            return new OverlayPeer(node.Name(), podCidr, publicIp, null);
        }
        return annotations.TryGetValue(BackendData, out var data) && VtepMacOf(data) is { } mac
            ? new OverlayPeer(node.Name(), podCidr, publicIp, mac)
            : null;
    }

    private static string? VtepMacOf(string data)
    {
        try
        {
            return JsonNode.Parse(data) is JsonObject backendData
                && backendData["VtepMAC"] is JsonValue value && value.TryGetValue<string>(out var mac) && IsMac(mac)
                ? mac.ToLowerInvariant()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool IsMac(string text) =>
        text.Length == 17 && text.Split(':') is { Length: 6 } parts && parts.All(p => p.Length == 2 && p.All(char.IsAsciiHexDigit));
}
