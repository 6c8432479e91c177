using System.Net;

namespace MiniKube.Agent.Network;

/// <summary>
/// Plugs one sandbox's network namespace into the bridge, as the bridge CNI plugin's ADD does:
/// a veth pair whose host end (<see cref="PodNetworkOptions.VethPrefix"/> + 12 hex digits of the
/// sandbox id) joins the bridge with hairpin on (so a pod reaching itself through a Service or
/// hostPort gets its packets back), and whose other end is created straight inside the namespace
/// (named by a process in it, <c>/proc/&lt;pid&gt;/ns/net</c>) as <c>eth0</c>, with the pod's
/// address, the MTU and a default route via the bridge; <c>lo</c> comes up too. Two <c>ip -batch</c>
/// runs per pod: one on the host, one in the namespace through <c>nsenter --net</c>.
/// </summary>
public sealed class PodInterfaces(IHostCommands commands, string bridge, int mtu)
{
    public const string PodInterface = "eth0";

    public static string HostVethOf(string sandboxId) => PodNetworkOptions.VethPrefix + sandboxId[..Math.Min(12, sandboxId.Length)];

    /// <summary>Wires the namespace of process <paramref name="pid"/>; a host end left by an earlier attempt is replaced.</summary>
    public async Task AttachAsync(string sandboxId, int pid, IPAddress address, int prefixLength, IPAddress gateway, CancellationToken cancellationToken)
    {
        var veth = HostVethOf(sandboxId);
        var host = HostBatch(veth, pid);
        var created = await commands.RunAsync("ip", ["-batch", "-"], host, cancellationToken);
        if (!created.Succeeded)
        {
            // A veth of a half-done earlier try: take it away and try once more.
            await DetachAsync(sandboxId, cancellationToken);
            await commands.RunCheckedAsync("ip", ["-batch", "-"], host, cancellationToken);
        }
        await commands.RunCheckedAsync("nsenter", [$"--net=/proc/{pid.ToString(CultureInfo.InvariantCulture)}/ns/net", "--", "ip", "-batch", "-"],
            PodBatch(address, prefixLength, gateway), cancellationToken);
    }

    /// <summary>Removes the host end (and with it the pair); nothing when it is gone already, as it is once the namespace has gone.</summary>
    public async Task DetachAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var veth = HostVethOf(sandboxId);
        if ((await commands.RunAsync("ip", ["link", "show", "dev", veth], null, cancellationToken)).Succeeded)
        {
            var deleted = await commands.RunAsync("ip", ["link", "del", "dev", veth], null, cancellationToken);
            // It may have gone with its namespace between the two calls.
            if (!deleted.Succeeded && !deleted.Error.Contains("Cannot find device", StringComparison.Ordinal))
            {
                throw new HostCommandException($"ip link del dev {veth} failed ({deleted.ExitCode}): {deleted.Error.Trim()}");
            }
        }
    }

    internal string HostBatch(string veth, int pid)
    {
        var m = mtu.ToString(CultureInfo.InvariantCulture);
        return $"link add name {veth} mtu {m} type veth peer name {PodInterface} mtu {m} netns {pid.ToString(CultureInfo.InvariantCulture)}\n"
            + $"link set dev {veth} master {bridge}\n"
            + $"link set dev {veth} type bridge_slave hairpin on\n"
            + $"link set dev {veth} up\n";
    }

    internal static string PodBatch(IPAddress address, int prefixLength, IPAddress gateway) =>
        "link set dev lo up\n"
        + $"addr add {address}/{prefixLength.ToString(CultureInfo.InvariantCulture)} dev {PodInterface}\n"
        + $"link set dev {PodInterface} up\n"
        + $"route replace default via {gateway} dev {PodInterface}\n";
}
