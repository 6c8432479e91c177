using System.Net;

namespace MiniKube.Agent.Network;

/// <summary>
/// The node's pod bridge, as the bridge CNI plugin keeps it (containernetworking/plugins
/// plugins/main/bridge): a Linux bridge holding the podCIDR's first address (every pod's
/// gateway) and the pod MTU, plus the kernel switches routed pod traffic needs. Ensuring it is
/// idempotent; only <see cref="DeleteAsync"/> removes it. Never touches any other link.
/// </summary>
public sealed partial class PodBridge(IHostCommands commands, string name, ILogger logger)
{
    public string Name { get; } = name;

    /// <summary>Creates the bridge if missing and gives it exactly <paramref name="gateway"/>/<paramref name="prefixLength"/>, <paramref name="mtu"/> and state up.</summary>
    public async Task EnsureAsync(IPAddress gateway, int prefixLength, int mtu, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        await EnableForwardingAsync(cancellationToken);
        var shown = await commands.RunAsync("ip", ["-o", "-4", "addr", "show", "dev", Name], null, cancellationToken);
        var address = $"{gateway}/{prefixLength.ToString(CultureInfo.InvariantCulture)}";
        var batch = new List<string>();
        if (!shown.Succeeded)
        {
            batch.Add($"link add name {Name} type bridge");
        }
        // A podCIDR that changed leaves the old gateway address behind: only ours may stay.
        batch.AddRange(Addresses(shown.Output).Where(a => a != address).Select(a => $"addr del {a} dev {Name}"));
        batch.Add($"addr replace {address} dev {Name}");
        batch.Add($"link set dev {Name} mtu {mtu.ToString(CultureInfo.InvariantCulture)} up");
        await commands.RunCheckedAsync("ip", ["-batch", "-"], string.Join('\n', batch) + "\n", cancellationToken);
        // hostPort from the node's own 127.0.0.1 is DNAT'd to a pod behind the bridge, which the
        // kernel refuses to route unless the bridge allows local addresses (the portmap plugin does the same).
        Enable($"/proc/sys/net/ipv4/conf/{Name}/route_localnet");
    }

    /// <summary>Removes the bridge (its pods' links go with their namespaces); nothing when it is not there.</summary>
    public async Task DeleteAsync(CancellationToken cancellationToken)
    {
        var shown = await commands.RunAsync("ip", ["link", "show", "dev", Name], null, cancellationToken);
        if (shown.Succeeded)
        {
            await commands.RunCheckedAsync("ip", ["link", "del", "dev", Name], null, cancellationToken);
        }
    }

    /// <summary>The <c>a.b.c.d/len</c> addresses of an <c>ip -o -4 addr show</c> listing.</summary>
    internal static IEnumerable<string> Addresses(string listing) =>
        listing.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(words => Array.IndexOf(words, "inet") is var at and >= 0 && at + 1 < words.Length ? words[at + 1] : null)
            .OfType<string>();

    private async Task EnableForwardingAsync(CancellationToken cancellationToken)
    {
        // Pods are routed, not NATed by Docker: the node forwards (Docker sets this too, but may not run).
        Enable("/proc/sys/net/ipv4/ip_forward");
        // With br_netfilter, traffic between two pods on the bridge passes iptables, so a pod's
        // reply to a Service's other backend on this node is un-DNATed (k3s loads it for flannel).
        if (!Directory.Exists("/proc/sys/net/bridge"))
        {
            await LoadBrNetfilterAsync(cancellationToken);
        }
        Enable("/proc/sys/net/bridge/bridge-nf-call-iptables");
    }

    private async Task LoadBrNetfilterAsync(CancellationToken cancellationToken)
    {
        try
        {
            var loaded = await commands.RunAsync("modprobe", ["br_netfilter"], null, cancellationToken);
            if (!loaded.Succeeded)
            {
                LogSettingFailed("br_netfilter", loaded.Error.Trim());
            }
        }
        catch (HostCommandException e)
        {
            LogSettingFailed("br_netfilter", e.Message);
        }
    }

    private void Enable(string path)
    {
        if (Sysctl.TryEnable(path, out var changed) is { } refused)
        {
            LogSettingFailed(path, refused);
        }
        else if (changed)
        {
            LogSettingSet(path);
        }
    }

    [LoggerMessage(EventId = LogEvents.Agent + 700, Level = LogLevel.Information, Message = "Set {Setting} to 1 for the pod network")]
    private partial void LogSettingSet(string setting);

    [LoggerMessage(EventId = LogEvents.Agent + 701, Level = LogLevel.Warning, Message = "Could not turn on {Setting} ({Reason}); traffic between pods or to Services may be dropped")]
    private partial void LogSettingFailed(string setting, string reason);
}
