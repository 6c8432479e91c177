namespace MiniKube.CheckConfig;

/// <summary>
/// The kernel features mkube's pod network, service proxy and network policy use, read from the
/// kernel's build configuration, as k3s' check-config (contrib/util/check-config.sh) does; where no
/// configuration is found, from the loaded, built-in and installable modules. The list follows
/// what our code runs: the bridge and veth pairs (Agent/Network), the vxlan overlay, the iptables
/// matches and targets of the proxy and policy rules (comment, conntrack, mark, addrtype,
/// statistic, recent, set; MARK, MASQUERADE, DNAT, REJECT) and the hash:ip and hash:net ipsets.
/// </summary>
public static class KernelChecks
{
    private const string Group = "kernel";

    /// <summary>One kernel feature: any of <paramref name="Symbols"/> (without CONFIG_) provides it, as module <paramref name="Module"/> when modular.</summary>
    private sealed record Feature(string Item, string[] Symbols, string? Module, bool Required, string Why);

    // Grouped by what needs them; every group is checked (Common).
    private static readonly Feature[] Namespaces =
    [
        new("namespaces", ["NAMESPACES"], null, true, "containers"),
        new("network namespaces", ["NET_NS"], null, true, "pod networks"),
        new("PID namespaces", ["PID_NS"], null, true, "containers"),
        new("IPC namespaces", ["IPC_NS"], null, true, "containers"),
        new("UTS namespaces", ["UTS_NS"], null, true, "pod hostnames"),
    ];

    private static readonly Feature[] Cgroups =
    [
        new("cgroups", ["CGROUPS"], null, true, "container resources"),
        new("memory cgroup", ["MEMCG"], null, true, "memory limits and stats"),
        new("pids cgroup", ["CGROUP_PIDS"], null, true, "container process limits"),
        new("cpu cgroup", ["CGROUP_SCHED"], null, true, "CPU requests and limits"),
    ];

    private static readonly Feature[] Devices =
    [
        new("veth", ["VETH"], "veth", true, "one pair per pod"),
        new("bridge", ["BRIDGE"], "bridge", true, "the pod bridge mkube0"),
        new("br_netfilter", ["BRIDGE_NETFILTER"], "br_netfilter", true, "Service rules for traffic between pods on one node"),
        new("vxlan", ["VXLAN"], "vxlan", true, "the default --flannel-backend vxlan (host-gw needs none)"),
        new("overlay", ["OVERLAY_FS"], "overlay", false, "Docker's overlay2 storage driver"),
    ];

    private static readonly Feature[] Netfilter =
    [
        new("x_tables", ["NETFILTER_XTABLES"], "x_tables", true, "iptables rules"),
        new("nf_conntrack", ["NF_CONNTRACK"], "nf_conntrack", true, "connection tracking for Services"),
        new("nf_nat", ["NF_NAT"], "nf_nat", true, "Service and pod NAT"),
        new("xt_comment", ["NETFILTER_XT_MATCH_COMMENT"], "xt_comment", true, "rule comments"),
        new("xt_mark", ["NETFILTER_XT_MARK", "NETFILTER_XT_MATCH_MARK"], "xt_mark", true, "-m mark and -j MARK"),
    ];

    // The service proxy's matches and targets (Agent/Proxy/ProxyRules).
    private static readonly Feature[] ServiceRules =
    [
        new("xt_conntrack", ["NETFILTER_XT_MATCH_CONNTRACK"], "xt_conntrack", true, "-m conntrack"),
        new("xt_addrtype", ["NETFILTER_XT_MATCH_ADDRTYPE"], "xt_addrtype", true, "NodePorts on local addresses"),
        new("xt_statistic", ["NETFILTER_XT_MATCH_STATISTIC"], "xt_statistic", true, "spreading Service traffic over endpoints"),
        new("xt_recent", ["NETFILTER_XT_MATCH_RECENT"], "xt_recent", true, "sessionAffinity: ClientIP"),
        new("xt_nat", ["NETFILTER_XT_NAT"], "xt_nat", true, "-j DNAT to Service endpoints"),
    ];

    private static readonly Feature[] Verdicts =
    [
        new("xt_MASQUERADE", ["NETFILTER_XT_TARGET_MASQUERADE", "IP_NF_TARGET_MASQUERADE"], "xt_MASQUERADE", true, "pod traffic leaving the cluster"),
        new("ipt_REJECT", ["IP_NF_TARGET_REJECT"], "ipt_REJECT", true, "Services without endpoints and NetworkPolicy"),
    ];

    // The network policy's sets (Agent/NetworkPolicy: hash:ip and hash:net, -m set).
    private static readonly Feature[] IpSets =
    [
        new("ip_set", ["IP_SET"], "ip_set", true, "NetworkPolicy (or --disable-network-policy)"),
        new("ip_set_hash_ip", ["IP_SET_HASH_IP"], "ip_set_hash_ip", true, "NetworkPolicy (or --disable-network-policy)"),
        new("ip_set_hash_net", ["IP_SET_HASH_NET"], "ip_set_hash_net", true, "NetworkPolicy (or --disable-network-policy)"),
        new("xt_set", ["NETFILTER_XT_SET"], "xt_set", true, "NetworkPolicy (or --disable-network-policy)"),
    ];

    private static readonly Feature[] Common = [.. Namespaces, .. Cgroups, .. Devices, .. Netfilter, .. ServiceRules, .. Verdicts, .. IpSets];

    // iptables-nft programs nf_tables (xt matches through nft_compat); the legacy one ip_tables.
    private static readonly Feature[] NfTables =
    [
        new("nf_tables", ["NF_TABLES"], "nf_tables", true, "the nf_tables iptables backend"),
        new("nft_compat", ["NFT_COMPAT"], "nft_compat", true, "xt matches under the nf_tables backend"),
        new("nft_chain_nat", ["NFT_NAT"], "nft_chain_nat", true, "NAT chains under the nf_tables backend"),
    ];

    private static readonly Feature[] Legacy =
    [
        new("ip_tables", ["IP_NF_IPTABLES"], "ip_tables", true, "the legacy iptables backend"),
        new("iptable_filter", ["IP_NF_FILTER"], "iptable_filter", true, "the filter table"),
        new("iptable_nat", ["IP_NF_NAT"], "iptable_nat", true, "the nat table"),
    ];

    /// <summary>Where a kernel's build configuration may be, for release <paramref name="release"/> (k3s' list).</summary>
    public static IReadOnlyList<string> ConfigPaths(string release) =>
        ["/proc/config.gz", $"/boot/config-{release}", $"/usr/src/linux-{release}/.config", "/usr/src/linux/.config", $"/lib/modules/{release}/build/.config"];

    /// <summary>Checks every feature; <paramref name="iptablesBackend"/> (<c>nf_tables</c> or <c>legacy</c>, null if unknown) picks the table features.</summary>
    public static IReadOnlyList<CheckResult> Check(IHostProbe probe, string? iptablesBackend)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var release = probe.KernelRelease;
        var (configPath, config) = ConfigPaths(release).Select(p => (Path: p, Text: probe.ReadFile(p))).FirstOrDefault(c => c.Text is not null);
        var symbols = config is null ? null : ParseConfig(config);
        var modules = new ModuleFiles(probe, release);
        var tables = iptablesBackend == "legacy" ? Legacy : NfTables;
        var results = new List<CheckResult>
        {
            symbols is null
                ? new(Group, "config", CheckStatus.Warning, $"no kernel configuration found ({string.Join(", ", ConfigPaths(release))}); judging by modules alone",
                    "load the configs module (modprobe configs) for /proc/config.gz")
                : CheckResult.Ok(Group, "config", $"{release}, from {configPath}"),
        };
        results.AddRange(Common.Concat(tables).Select(feature => Check(feature, symbols, modules)));
        return results;
    }

    /// <summary>CONFIG_X=y|m lines as X → y|m; "is not set" lines are absent.</summary>
    public static IReadOnlyDictionary<string, string> ParseConfig(string config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var symbols = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in config.Split('\n'))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (line.StartsWith("CONFIG_", StringComparison.Ordinal) && equals > 0)
            {
                symbols[line["CONFIG_".Length..equals]] = line[(equals + 1)..].Trim();
            }
        }
        return symbols;
    }

    private static CheckResult Check(Feature feature, IReadOnlyDictionary<string, string>? symbols, ModuleFiles modules)
    {
        if (symbols is not null)
        {
            foreach (var symbol in feature.Symbols)
            {
                switch (symbols.GetValueOrDefault(symbol))
                {
                    case "y":
                        return CheckResult.Ok(Group, feature.Item, $"built in (CONFIG_{symbol}=y)");
                    case "m":
                        var loaded = feature.Module is not null && modules.IsLoaded(feature.Module);
                        return CheckResult.Ok(Group, feature.Item, $"module (CONFIG_{symbol}=m), {(loaded ? "loaded" : "loaded when first used")}");
                }
            }
            return Missing(feature, $"not in this kernel (CONFIG_{string.Join(" or CONFIG_", feature.Symbols)} not set)");
        }
        var found = feature.Module is null ? null : modules.Find(feature.Module);
        if (found is not null)
        {
            return CheckResult.Ok(Group, feature.Item, found);
        }
        // With the module index at hand, a module in none of its lists is not there at all.
        return feature.Module is not null && modules.HasIndex
            ? Missing(feature, $"no module {feature.Module} loaded, built in or installed")
            : new(Group, feature.Item, CheckStatus.Warning, $"cannot tell without the kernel configuration (needed for {feature.Why})",
                $"check that the kernel has CONFIG_{feature.Symbols[0]}");
    }

    private static CheckResult Missing(Feature feature, string detail)
    {
        var fix = feature.Module is null
            ? $"use a kernel built with CONFIG_{feature.Symbols[0]}"
            : $"use a kernel with CONFIG_{feature.Symbols[0]}=y or =m (Debian/Ubuntu: the distribution kernel, or linux-modules-extra-$(uname -r))";
        return new(Group, feature.Item, feature.Required ? CheckStatus.Fail : CheckStatus.Warning, $"{detail}; needed for {feature.Why}", fix);
    }

    /// <summary>The module files of the running kernel: loaded (/sys/module), built in (modules.builtin) or installed (modules.dep).</summary>
    private sealed class ModuleFiles(IHostProbe probe, string release)
    {
        private readonly Lazy<string> _builtin = new(() => probe.ReadFile($"/lib/modules/{release}/modules.builtin") ?? "");
        private readonly Lazy<string> _installed = new(() => probe.ReadFile($"/lib/modules/{release}/modules.dep") ?? "");

        public bool HasIndex => _installed.Value.Length > 0;

        public bool IsLoaded(string module) => probe.Exists($"/sys/module/{module}");

        public string? Find(string module)
        {
            if (IsLoaded(module))
            {
                return "loaded (/sys/module)";
            }
            // Paths such as kernel/net/bridge/br_netfilter.ko(.xz|.zst); module names match with - and _ alike.
            bool Lists(string text) => text.Replace('-', '_').Contains($"/{module.Replace('-', '_')}.ko", StringComparison.Ordinal);
            if (Lists(_builtin.Value))
            {
                return "built in (modules.builtin)";
            }
            return Lists(_installed.Value) ? "module, loaded when first used (modules.dep)" : null;
        }
    }
}
