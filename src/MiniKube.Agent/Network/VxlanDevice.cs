using System.Net;

namespace MiniKube.Agent.Network;

/// <summary>
/// The node's VXLAN tunnel endpoint, as flannel's vxlan backend keeps <c>flannel.1</c>
/// (flannel pkg/backend/vxlan/device.go): VNI <see cref="Vni"/>, UDP port <see cref="Port"/>
/// (the Linux default flannel uses, not IANA's 4789), the node IP as the local end,
/// <c>nolearning</c> (every peer's MAC is written as a permanent FDB entry by
/// <see cref="NodeRoutes"/>), the pod MTU, and its podCIDR's network address as a /32 so traffic
/// the node itself sends to other nodes' pods has a source address they can answer. A device
/// whose VNI, port or local address differs is made again (its MAC then changes and is published
/// again); an existing one is kept, so its MAC stays across restarts. Named <c>mkube.1</c>: the
/// mkube prefix every link of ours carries, never a flannel someone else runs on the host.
/// </summary>
public sealed class VxlanDevice(IHostCommands commands, string name)
{
    public const int Vni = 1;
    public const int Port = 8472;

    public string Name { get; } = name;

    /// <summary>Makes the device as described (idempotent) and returns its MAC, the VtepMAC other nodes need.</summary>
    public async Task<string> EnsureAsync(IPAddress local, IPAddress address, int mtu, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(address);
        var shown = await commands.RunAsync("ip", ["-d", "-o", "link", "show", "dev", Name], null, cancellationToken);
        var keep = shown.Succeeded && Matches(shown.Output, local);
        var batch = new List<string>();
        if (shown.Succeeded && !keep)
        {
            batch.Add($"link del dev {Name}");
        }
        if (!keep)
        {
            batch.Add($"link add name {Name} type vxlan id {Vni.ToString(CultureInfo.InvariantCulture)} local {local} dstport {Port.ToString(CultureInfo.InvariantCulture)} nolearning");
        }
        else
        {
            // A podCIDR that changed leaves its old network address behind: only ours may stay.
            var addresses = await commands.RunCheckedAsync("ip", ["-o", "-4", "addr", "show", "dev", Name], null, cancellationToken);
            batch.AddRange(PodBridge.Addresses(addresses.Output).Where(a => a != $"{address}/32").Select(a => $"addr del {a} dev {Name}"));
        }
        batch.Add($"addr replace {address}/32 dev {Name}");
        batch.Add($"link set dev {Name} mtu {mtu.ToString(CultureInfo.InvariantCulture)} up");
        await commands.RunCheckedAsync("ip", ["-batch", "-"], string.Join('\n', batch) + "\n", cancellationToken);
        var link = await commands.RunCheckedAsync("ip", ["-o", "link", "show", "dev", Name], null, cancellationToken);
        return MacOf(link.Output) ?? throw new HostCommandException($"ip link show dev {Name} shows no MAC address: {link.Output.Trim()}");
    }

    /// <summary>Removes the device (and with it every route, neighbour and FDB entry on it); nothing when it is not there.</summary>
    public async Task DeleteAsync(CancellationToken cancellationToken)
    {
        if ((await commands.RunAsync("ip", ["link", "show", "dev", Name], null, cancellationToken)).Succeeded)
        {
            await commands.RunCheckedAsync("ip", ["link", "del", "dev", Name], null, cancellationToken);
        }
    }

    /// <summary>Whether an <c>ip -d -o link show</c> line describes a VXLAN device as ours should be.</summary>
    internal static bool Matches(string details, IPAddress local)
    {
        var words = details.Split([' ', '\\', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
        string? After(string key) => Array.IndexOf(words, key) is var at and >= 0 && at + 1 < words.Length ? words[at + 1] : null;
        return Array.IndexOf(words, "vxlan") >= 0
            && After("id") == Vni.ToString(CultureInfo.InvariantCulture)
            && After("local") == local.ToString()
            && After("dstport") == Port.ToString(CultureInfo.InvariantCulture)
            && Array.IndexOf(words, "nolearning") >= 0;
    }

    /// <summary>The <c>link/ether</c> address of an <c>ip -o link show</c> line.</summary>
    internal static string? MacOf(string link)
    {
        var words = link.Split([' ', '\\', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
        return Array.IndexOf(words, "link/ether") is var at and >= 0 && at + 1 < words.Length ? words[at + 1] : null;
    }
}
