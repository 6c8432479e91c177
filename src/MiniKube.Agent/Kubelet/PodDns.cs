using MiniKube.Agent.Runtime;

namespace MiniKube.Agent.Kubelet;

/// <summary>
/// A pod's resolv.conf from its dnsPolicy and dnsConfig, as upstream's kubelet computes it
/// (pkg/kubelet/network/dns/dns.go GetPodDNS):
/// <list type="bullet">
/// <item>ClusterFirst (the default): the cluster DNS as only nameserver, search
/// <c>&lt;ns&gt;.svc.&lt;domain&gt; svc.&lt;domain&gt; &lt;domain&gt;</c> then the host's, <c>options ndots:5</c>;
/// a hostNetwork pod gets Default instead, unless its policy is ClusterFirstWithHostNet; without a
/// cluster DNS IP, Default too;</item>
/// <item>Default: the host's resolv.conf;</item>
/// <item>None: nothing but spec.dnsConfig.</item>
/// </list>
/// spec.dnsConfig is then merged in: nameservers and searches appended without duplicates, options
/// by name with the pod's winning. At most 3 nameservers and 32 search domains (2048 characters,
/// none over 253) are kept, as upstream trims them.
/// </summary>
public static class PodDns
{
    // pkg/apis/core/validation: MaxDNSNameservers, MaxDNSSearchPathsExpanded, MaxDNSSearchListCharsExpanded.
    private const int MaxNameservers = 3;
    private const int MaxSearches = 32;
    private const int MaxSearchListChars = 2048;
    private const int MaxSearchLength = 253;

    public static DnsConfig For(V1Pod pod, string? clusterDns, string clusterDomain, ResolvConf host)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(host);
        var policy = pod.Spec?.DnsPolicy ?? "ClusterFirst";
        var hostNetwork = pod.Spec?.HostNetwork == true;
        var cluster = policy == "ClusterFirstWithHostNet" || (policy == "ClusterFirst" && !hostNetwork);
        DnsConfig config;
        if (policy == "None")
        {
            config = new DnsConfig([], [], []);
        }
        else if (cluster && clusterDns is { Length: > 0 })
        {
            var ns = pod.Metadata?.NamespaceProperty ?? "default";
            IEnumerable<string> searches = clusterDomain is { Length: > 0 }
                ? [$"{ns}.svc.{clusterDomain}", $"svc.{clusterDomain}", clusterDomain, .. host.Searches]
                : host.Searches;
            config = new DnsConfig([clusterDns], [.. searches.Distinct(StringComparer.Ordinal)], ["ndots:5"]);
        }
        else
        {
            config = new DnsConfig(host.Nameservers, host.Searches, host.Options);
        }
        if (pod.Spec?.DnsConfig is { } extra)
        {
            config = new DnsConfig(
                [.. config.Nameservers.Concat(extra.Nameservers ?? []).Distinct(StringComparer.Ordinal)],
                [.. config.Searches.Concat(extra.Searches ?? []).Distinct(StringComparer.Ordinal)],
                MergeOptions(config.Options, extra.Options ?? []));
        }
        return config with { Nameservers = [.. config.Nameservers.Take(MaxNameservers)], Searches = FitSearches(config.Searches) };
    }

    /// <summary>Options by name, in first-seen order; a pod option replaces the same-named one (<c>ndots:2</c> over <c>ndots:5</c>).</summary>
    private static List<string> MergeOptions(IReadOnlyList<string> existing, IList<V1PodDNSConfigOption> pod)
    {
        var merged = new List<(string Name, string? Value)>();
        void Set(string name, string? value)
        {
            var at = merged.FindIndex(o => o.Name == name);
            if (at >= 0)
            {
                merged[at] = (name, value);
            }
            else
            {
                merged.Add((name, value));
            }
        }
        foreach (var option in existing)
        {
            var colon = option.IndexOf(':', StringComparison.Ordinal);
            Set(colon < 0 ? option : option[..colon], colon < 0 ? null : option[(colon + 1)..]);
        }
        foreach (var option in pod)
        {
            Set(option.Name, option.Value);
        }
        return [.. merged.Select(o => string.IsNullOrEmpty(o.Value) ? o.Name : $"{o.Name}:{o.Value}")];
    }

    private static List<string> FitSearches(IReadOnlyList<string> searches)
    {
        var kept = searches.Take(MaxSearches).Where(s => s.Length <= MaxSearchLength).ToList();
        while (kept.Count > 0 && string.Join(' ', kept).Length > MaxSearchListChars)
        {
            kept.RemoveAt(kept.Count - 1);
        }
        return kept;
    }
}
