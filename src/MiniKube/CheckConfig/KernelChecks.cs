using System.Text.Json;

namespace MiniKube.CheckConfig;

/// <summary>
/// The kernel features mkube's pod network, service proxy and network policy use, read from the
/// kernel's build configuration, as k3s' check-config (contrib/util/check-config.sh) does; where no
/// configuration is found, from the loaded, built-in and installable modules. The list follows
/// what our code runs: the bridge and veth pairs (Agent/Network), the vxlan overlay, the iptables
/// matches and targets of the proxy and policy rules (comment, conntrack, mark, addrtype,
/// statistic, recent, set; MARK, MASQUERADE, DNAT, REJECT) and the hash:ip and hash:net ipsets,
/// and the tables of the iptables backend in use (nf_tables when it cannot be told).
/// </summary>
public static class KernelChecks
{
    private const string Group = "kernel";

    /// <summary>
    /// One kernel feature: any of <paramref name="Symbols"/> (without CONFIG_) provides it, as
    /// module <paramref name="Module"/> when modular; <paramref name="Backend"/> names the iptables
    /// backend it belongs to (iptables-nft programs nf_tables, with xt matches through
    /// nft_compat; the legacy one ip_tables), null when every machine needs it.
    /// </summary>
    private sealed record Feature(string Item, string[] Symbols, string? Module, bool Required, string Why, string? Backend);

    /// <summary>The features, from <c>KernelFeatures.json</c> beside this file (a table, kept as data).</summary>
    private static readonly Feature[] Features = LoadFeatures();

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
        var backend = iptablesBackend ?? "nf_tables";
        var results = new List<CheckResult>
        {
            symbols is null
                ? new(Group, "config", CheckStatus.Warning, $"no kernel configuration found ({string.Join(", ", ConfigPaths(release))}); judging by modules alone",
                    "load the configs module (modprobe configs) for /proc/config.gz")
                : CheckResult.Ok(Group, "config", $"{release}, from {configPath}"),
        };
        results.AddRange(Features.Where(f => f.Backend is null || f.Backend == backend).Select(feature => Check(feature, symbols, modules)));
        return results;
    }

    private static Feature[] LoadFeatures()
    {
        using var stream = typeof(KernelChecks).Assembly.GetManifestResourceStream("MiniKube.CheckConfig.KernelFeatures.json")
            ?? throw new InvalidOperationException("KernelFeatures.json is not embedded in mkube");
        using var json = JsonDocument.Parse(stream);
        // Read by hand rather than by reflection, so that a trimmed binary reads it too.
        return [.. json.RootElement.EnumerateArray().Select(f => new Feature(
            f.GetProperty("item").GetString()!,
            [.. f.GetProperty("symbols").EnumerateArray().Select(s => s.GetString()!)],
            f.TryGetProperty("module", out var module) ? module.GetString() : null,
            !f.TryGetProperty("required", out var required) || required.GetBoolean(),
            f.GetProperty("neededFor").GetString()!,
            f.TryGetProperty("backend", out var backend) ? backend.GetString() : null))];
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
