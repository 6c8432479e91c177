using MiniKube.Agent.Network;

namespace MiniKube.Agent.Proxy;

/// <summary>
/// <see cref="IPacketRules"/> by running iptables, iptables-save and iptables-restore through
/// <see cref="Iptables"/> (the pod network's too), plus the sysctls forwarding needs. Needs root.
/// </summary>
internal sealed partial class IptablesPacketRules(ILogger logger) : IPacketRules
{
    private readonly Iptables _iptables = new(HostCommands.Instance);

    private static readonly string[] Tools = ["iptables", "iptables-save", "iptables-restore"];
    private static readonly string[] SystemDirectories = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];

    /// <summary>The bridge of Docker's default network, which the Docker runtime's pod sandboxes join.</summary>
    private const string PodBridge = "docker0";

    /// <summary>The first of the tools the proxy needs that is not installed, or null when all are.</summary>
    public static string? MissingTool()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(SystemDirectories);
        return Tools.FirstOrDefault(tool => !path.Any(directory => File.Exists(Path.Combine(directory, tool))));
    }

    public Task PrepareHostAsync(CancellationToken cancellationToken)
    {
        // Routing pod and node traffic to pods (proxier.go: "ip_forward" is required; Docker usually sets it).
        EnsureSetting("/proc/sys/net/ipv4/ip_forward", logged: true);
        // Without it, a pod's reply to another pod on the same bridge skips conntrack and is never un-DNATed.
        EnsureSetting("/proc/sys/net/bridge/bridge-nf-call-iptables", logged: true);
        // A pod calling its own service gets its packet back on the bridge port it came from, which
        // a bridge drops unless that port is in hairpin mode: what the kubelet's default
        // --hairpin-mode=hairpin-veth sets per pod. New pods bring new ports, hence every sync.
        var ports = Path.Combine("/sys/class/net", PodBridge, "brif");
        if (Directory.Exists(ports))
        {
            foreach (var port in Directory.EnumerateFileSystemEntries(ports)) // symbolic links to the ports
            {
                EnsureSetting(Path.Combine(port, "hairpin_mode"), logged: false);
            }
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> ListNatChainsAsync(CancellationToken cancellationToken) =>
        _iptables.ListChainsAsync("nat", cancellationToken);

    public Task RestoreAsync(string rules, CancellationToken cancellationToken) =>
        _iptables.RestoreAsync(rules, cancellationToken);

    public Task EnsureRuleAsync(string table, string chain, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        _iptables.EnsureRuleAsync(table, chain, arguments, cancellationToken);

    private void EnsureSetting(string path, bool logged)
    {
        var refused = Sysctl.TryEnable(path, out var changed);
        if (refused is not null)
        {
            LogSysctlFailed(path, refused);
        }
        else if (changed && logged)
        {
            LogSysctlSet(path);
        }
    }

    [LoggerMessage(EventId = LogEvents.Agent + 55, Level = LogLevel.Information, Message = "Set {Path} to 1: the service proxy forwards traffic to pods")]
    private partial void LogSysctlSet(string path);

    [LoggerMessage(EventId = LogEvents.Agent + 56, Level = LogLevel.Warning, Message = "Could not set {Path} to 1 ({Reason}); traffic to services may not reach pods")]
    private partial void LogSysctlFailed(string path, string reason);
}
