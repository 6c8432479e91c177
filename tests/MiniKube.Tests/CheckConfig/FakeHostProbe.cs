using MiniKube.ApiServer.Pki;
using MiniKube.CheckConfig;

namespace MiniKube.Tests.CheckConfig;

/// <summary>A machine described by its files, programs and answers, for the checks to read.</summary>
internal sealed class FakeHostProbe : IHostProbe
{
    public string KernelRelease { get; set; } = "6.1.0-test";

    public DateTimeOffset Now { get; set; } = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public Dictionary<string, string> Files { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Paths { get; } = new(StringComparer.Ordinal);

    /// <summary>Program name → full path; a program not here is not installed.</summary>
    public Dictionary<string, string> Executables { get; } = new(StringComparer.Ordinal);

    /// <summary>"file arg arg" → output.</summary>
    public Dictionary<string, string> Outputs { get; } = new(StringComparer.Ordinal);

    public DockerAnswer Docker { get; set; } = new("""{"Version":"20.10.24","ApiVersion":"1.41"}""", null);

    public Dictionary<long, string> SocketOwners { get; } = [];

    public (long Free, long Total)? Disk { get; set; } = (50L << 30, 100L << 30);

    public List<CertificateReport> CertificateAuthorities { get; } = [];

    /// <summary>A machine with everything mkube needs: every program, a Docker Engine, cgroup v2 and a kernel config with every feature built in.</summary>
    public static FakeHostProbe Complete()
    {
        var probe = new FakeHostProbe();
        foreach (var program in (string[])["ip", "bridge", "nsenter", "iptables", "iptables-save", "iptables-restore", "ipset", "modprobe"])
        {
            probe.Executables[program] = "/usr/sbin/" + program;
        }
        probe.Outputs["iptables --version"] = "iptables v1.8.9 (nf_tables)\n";
        probe.Files["/sys/fs/cgroup/cgroup.controllers"] = "cpuset cpu io memory hugetlb pids rdma misc\n";
        probe.Files["/proc/config.gz"] = string.Join('\n', AllSymbols.Select(s => $"CONFIG_{s}=y")) + "\n";
        probe.Paths.Add("/var/run/docker.sock");
        return probe;
    }

    public static readonly string[] AllSymbols =
    [
        "NAMESPACES", "NET_NS", "PID_NS", "IPC_NS", "UTS_NS", "CGROUPS", "MEMCG", "CGROUP_PIDS", "CGROUP_SCHED", "VETH", "BRIDGE", "BRIDGE_NETFILTER",
        "VXLAN", "OVERLAY_FS", "NETFILTER_XTABLES", "NF_CONNTRACK", "NF_NAT", "NETFILTER_XT_MATCH_COMMENT", "NETFILTER_XT_MATCH_CONNTRACK", "NETFILTER_XT_MARK",
        "NETFILTER_XT_MATCH_ADDRTYPE", "NETFILTER_XT_MATCH_STATISTIC", "NETFILTER_XT_MATCH_RECENT", "NETFILTER_XT_TARGET_MASQUERADE", "NETFILTER_XT_NAT",
        "IP_NF_TARGET_REJECT", "IP_SET", "IP_SET_HASH_IP", "IP_SET_HASH_NET", "NETFILTER_XT_SET", "NF_TABLES", "NFT_COMPAT", "NFT_NAT",
    ];

    public string? ReadFile(string path) => Files.GetValueOrDefault(path);

    public bool Exists(string path) => Paths.Contains(path) || Files.ContainsKey(path);

    public string? FindExecutable(string name) => Executables.GetValueOrDefault(name);

    public Task<string?> RunAsync(string file, IReadOnlyList<string> args, CancellationToken cancellationToken) =>
        Task.FromResult(Outputs.GetValueOrDefault(string.Join(' ', [file, .. args])));

    public Task<DockerAnswer> DockerVersionAsync(string socketPath, CancellationToken cancellationToken) => Task.FromResult(Docker);

    public string? SocketOwner(long inode) => SocketOwners.GetValueOrDefault(inode);

    public (long Free, long Total)? DiskSpace(string path) => Disk;

    public IReadOnlyList<CertificateReport> Authorities(string dataDir, DateTimeOffset now) => CertificateAuthorities;
}
