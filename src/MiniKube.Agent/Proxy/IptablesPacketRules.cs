using System.Diagnostics;

namespace MiniKube.Agent.Proxy;

/// <summary>
/// <see cref="IPacketRules"/> by running iptables, iptables-save and iptables-restore, each
/// with <c>-w</c> so a Docker or firewall change in flight is waited for rather than failed.
/// Needs root.
/// </summary>
internal sealed partial class IptablesPacketRules(ILogger logger) : IPacketRules
{
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

    public async Task<IReadOnlyList<string>> ListNatChainsAsync(CancellationToken cancellationToken)
    {
        var saved = await RunAsync("iptables-save", ["-t", "nat"], null, cancellationToken);
        return [.. saved.Output.Split('\n')
            .Where(line => line.StartsWith(':'))
            .Select(line => line[1..].Split(' ', 2)[0])];
    }

    public async Task RestoreAsync(string rules, CancellationToken cancellationToken)
    {
        var result = await RunAsync("iptables-restore", ["-w", "5", "--noflush"], rules, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new PacketRulesException($"iptables-restore failed ({result.ExitCode}): {result.Error.Trim()}");
        }
    }

    public async Task EnsureRuleAsync(string table, string chain, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var check = await RunAsync("iptables", ["-w", "5", "-t", table, "-C", chain, .. arguments], null, cancellationToken);
        if (check.ExitCode == 0)
        {
            return;
        }
        var insert = await RunAsync("iptables", ["-w", "5", "-t", table, "-I", chain, .. arguments], null, cancellationToken);
        if (insert.ExitCode != 0)
        {
            throw new PacketRulesException($"iptables -t {table} -I {chain} failed ({insert.ExitCode}): {insert.Error.Trim()}");
        }
    }

    private void EnsureSetting(string path, bool logged)
    {
        try
        {
            if (File.Exists(path) && File.ReadAllText(path).Trim() == "0")
            {
                File.WriteAllText(path, "1");
                if (logged)
                {
                    LogSysctlSet(path);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogSysctlFailed(path, e.Message);
        }
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string tool, IReadOnlyList<string> arguments, string? input, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(tool, arguments)
        {
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new PacketRulesException($"{tool} did not start");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input.AsMemory(), cancellationToken);
            process.StandardInput.Close();
        }
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw;
        }
        return (process.ExitCode, await output, await error);
    }

    [LoggerMessage(EventId = LogEvents.Agent + 55, Level = LogLevel.Information, Message = "Set {Path} to 1: the service proxy forwards traffic to pods")]
    private partial void LogSysctlSet(string path);

    [LoggerMessage(EventId = LogEvents.Agent + 56, Level = LogLevel.Warning, Message = "Could not set {Path} to 1 ({Reason}); traffic to services may not reach pods")]
    private partial void LogSysctlFailed(string path, string reason);
}
