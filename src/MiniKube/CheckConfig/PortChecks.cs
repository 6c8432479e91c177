using System.Globalization;
using System.Net;
using MiniKube.Agent.Network;

namespace MiniKube.CheckConfig;

/// <summary>
/// The ports mkube listens on by default (<see cref="Defaults"/>): free, or held by whom. Read
/// from the kernel's socket tables (<c>/proc/net/tcp</c>, <c>udp</c> and their IPv6 twins) rather
/// than by binding, so the check changes nothing and can name the holder.
/// </summary>
public static class PortChecks
{
    private const string Group = "ports";

    /// <summary>One port mkube binds: on every address, or (<paramref name="NodeAddressOnly"/>) only the node's, where loopback holders do not collide.</summary>
    private sealed record Port(int Number, string Protocol, string What, string Instead, bool NodeAddressOnly = false, bool Required = true);

    private static readonly Port[] Ports =
    [
        new(Defaults.HttpsListenPort, "tcp", "the API server", "choose another port with --https-listen-port"),
        new(Defaults.KubeletPort, "tcp", "the kubelet API", "choose another port with --kubelet-port"),
        new(Defaults.IngressHttpPort, "tcp", "the ingress (HTTP)", "choose another port with --ingress-http-port, or --disable ingress"),
        new(Defaults.IngressHttpsPort, "tcp", "the ingress (HTTPS)", "choose another port with --ingress-https-port, or --disable ingress"),
        new(53, "udp", "the cluster DNS, on the node IP", "run the server with --disable dns", NodeAddressOnly: true),
        new(53, "tcp", "the cluster DNS, on the node IP", "run the server with --disable dns", NodeAddressOnly: true),
        // The kernel's vxlan device holds it, so another overlay (flannel.1 of a k3s) shows without a process.
        new(VxlanDevice.Port, "udp", "VXLAN between nodes", "use --flannel-backend host-gw on every node", Required: false),
    ];

    /// <summary>One socket from a /proc/net table.</summary>
    public sealed record Socket(string Protocol, IPAddress Address, int Port, long Inode);

    public static IReadOnlyList<CheckResult> Check(IHostProbe probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var sockets = new List<Socket>();
        foreach (var protocol in (string[])["tcp", "udp"])
        {
            foreach (var table in (string[])[protocol, protocol + "6"])
            {
                sockets.AddRange(ParseTable(protocol, probe.ReadFile($"/proc/net/{table}") ?? ""));
            }
        }
        return [.. Ports.Select(port => Check(probe, port, sockets))];
    }

    private static CheckResult Check(IHostProbe probe, Port port, List<Socket> sockets)
    {
        var item = $"{port.Number.ToString(CultureInfo.InvariantCulture)}/{port.Protocol}";
        var holder = sockets.FirstOrDefault(s => s.Protocol == port.Protocol && s.Port == port.Number && !(port.NodeAddressOnly && IPAddress.IsLoopback(s.Address)));
        if (holder is null)
        {
            return CheckResult.Ok(Group, item, $"free ({port.What})");
        }
        var owner = holder.Inode == 0 ? null : probe.SocketOwner(holder.Inode);
        var by = owner ?? (holder.Inode == 0 ? "the kernel (a vxlan device?)" : "a process this user cannot see");
        if (owner is not null && owner.StartsWith("mkube ", StringComparison.Ordinal))
        {
            return new(Group, item, CheckStatus.Warning, $"in use by {owner} on {holder.Address}: mkube already runs here", "stop it first (systemctl stop mkube, or mkube-killall.sh) to run another");
        }
        return new(Group, item, port.Required ? CheckStatus.Fail : CheckStatus.Warning, $"in use by {by} on {holder.Address}; needed by {port.What}",
            $"stop what holds it, or {port.Instead}");
    }

    /// <summary>
    /// The bound sockets of one /proc/net table: TCP in LISTEN (state 0A) and every UDP socket.
    /// Addresses are hex in the kernel's byte order per 32-bit word; ports hex in network order.
    /// </summary>
    public static IEnumerable<Socket> ParseTable(string protocol, string table)
    {
        ArgumentNullException.ThrowIfNull(table);
        foreach (var line in table.Split('\n').Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 10 || (protocol == "tcp" && fields[3] != "0A"))
            {
                continue;
            }
            var local = fields[1].Split(':');
            if (local.Length != 2 || !long.TryParse(fields[9], CultureInfo.InvariantCulture, out var inode))
            {
                continue;
            }
            yield return new Socket(protocol, Address(local[0]), int.Parse(local[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture), inode);
        }
    }

    private static IPAddress Address(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        // Each 32-bit word is printed in host order (reversed within each word on a little-endian machine).
        for (var word = 0; BitConverter.IsLittleEndian && word < bytes.Length; word += 4)
        {
            Array.Reverse(bytes, word, 4);
        }
        return new IPAddress(bytes);
    }
}
