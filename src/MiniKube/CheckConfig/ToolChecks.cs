using System.Text.Json;
using System.Text.RegularExpressions;

namespace MiniKube.CheckConfig;

/// <summary>
/// The programs mkube runs on the host (Agent/Network's <c>IHostCommands</c>: ip, bridge,
/// nsenter, iptables, iptables-save, iptables-restore, ipset, modprobe), the iptables backend,
/// and the Docker Engine the default runtime talks to.
/// </summary>
public static partial class ToolChecks
{
    private const string Group = "tools";

    private static readonly (string Name, string Package, bool Required, string Why)[] Programs =
    [
        ("ip", "iproute2", true, "pod interfaces and routes"),
        ("bridge", "iproute2", true, "the vxlan forwarding entries"),
        ("nsenter", "util-linux", true, "configuring each pod's network namespace"),
        ("iptables", "iptables", true, "Service, pod network and NetworkPolicy rules"),
        ("iptables-save", "iptables", true, "reading the rules back"),
        ("iptables-restore", "iptables", true, "writing whole chains at once"),
        ("ipset", "ipset", true, "NetworkPolicy (or --disable-network-policy)"),
        ("modprobe", "kmod", false, "loading br_netfilter"),
    ];

    /// <summary>The programs, then iptables' version and backend; the backend (nf_tables or legacy) also comes back for the kernel checks.</summary>
    public static async Task<(IReadOnlyList<CheckResult> Results, string? IptablesBackend)> CheckAsync(IHostProbe probe, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var results = new List<CheckResult>();
        foreach (var (name, package, required, why) in Programs)
        {
            results.Add(probe.FindExecutable(name) is { } path
                ? CheckResult.Ok(Group, name, path)
                : new(Group, name, required ? CheckStatus.Fail : CheckStatus.Warning, $"not found on the PATH; needed for {why}", $"apt-get install {package}"));
        }
        string? backend = null;
        if (probe.FindExecutable("iptables") is not null)
        {
            var version = await probe.RunAsync("iptables", ["--version"], cancellationToken) ?? "";
            var match = IptablesVersion().Match(version);
            if (match.Success)
            {
                // iptables before 1.8 has only the legacy backend and does not name it.
                backend = match.Groups["backend"].Success ? match.Groups["backend"].Value : "legacy";
                results.Add(CheckResult.Ok(Group, "iptables backend", $"{backend} (iptables {match.Groups["version"].Value})"));
            }
            else
            {
                results.Add(new(Group, "iptables backend", CheckStatus.Warning, $"iptables --version printed \"{version.Trim()}\"", "check that iptables runs: iptables --version"));
            }
        }
        return (results, backend);
    }

    /// <summary>The Docker Engine at <paramref name="socketPath"/>: there, answering, and which version.</summary>
    public static async Task<CheckResult> CheckDockerAsync(IHostProbe probe, string socketPath, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(probe);
        const string fix = "install and start the Docker Engine (apt-get install docker.io; systemctl enable --now docker), or run pods with --runtime simulated";
        if (!probe.Exists(socketPath))
        {
            return new("docker", socketPath, CheckStatus.Fail, "no socket: the Docker Engine does not run", fix);
        }
        var answer = await probe.DockerVersionAsync(socketPath, cancellationToken);
        if (answer.Body is null)
        {
            return new("docker", socketPath, CheckStatus.Fail, $"no answer: {answer.Error}", fix);
        }
        try
        {
            using var json = JsonDocument.Parse(answer.Body);
            var version = json.RootElement.TryGetProperty("Version", out var v) ? v.GetString() : null;
            var api = json.RootElement.TryGetProperty("ApiVersion", out var a) ? a.GetString() : null;
            return CheckResult.Ok("docker", socketPath, $"Docker Engine {version ?? "?"} (API {api ?? "?"})");
        }
        catch (JsonException)
        {
            return new("docker", socketPath, CheckStatus.Fail, "answered GET /version with something other than JSON: is this the Docker Engine?", fix);
        }
    }

    // "iptables v1.8.9 (nf_tables)", "iptables v1.8.7 (legacy)", "iptables v1.6.1"
    [GeneratedRegex(@"iptables v(?<version>[0-9.]+)(?: \((?<backend>nf_tables|legacy)\))?")]
    private static partial Regex IptablesVersion();
}
