using System.Text;

namespace MiniKube.Agent.Network;

/// <summary>
/// Removes everything mkube's node networking made on a host, and nothing else — what
/// k3s-killall.sh does for flannel, the bridge CNI plugin, kube-router and kube-proxy, behind
/// <c>mkube network teardown</c>. Ours is recognised by name alone, so it works with the agent
/// stopped and whatever version made it:
/// <list type="bullet">
/// <item>iptables (filter, nat, mangle, raw): every rule of a built-in or foreign chain that jumps to an
/// <c>MKUBE-</c> chain, then every <c>MKUBE-</c> chain (the service proxy's, the pod network's,
/// hostPorts', network policy's), one <c>iptables-restore --noflush</c> per table;</item>
/// <item>ipsets named <c>MKUBE-</c> (network policy's), after the rules that used them;</item>
/// <item>routes with protocol 77 (to other nodes' podCIDRs), the VXLAN device <c>mkube.1</c>, the veths
/// <c>mkv…</c> of pods still running (their pods lose their network) and the bridge <c>mkube0</c>;</item>
/// <item>the pod IPAM records under the data dir, when given.</item>
/// </list>
/// Idempotent: a second run finds nothing and changes nothing. A missing tool (no ipset) means
/// nothing of that kind can exist, so it is skipped. Docker's own rules and links are not touched.
/// </summary>
public sealed class NodeNetworkTeardown(IHostCommands commands, string prefix = PodNetworkOptions.DefaultChainPrefix)
{
    private static readonly string[] Tables = ["filter", "nat", "mangle", "raw"];

    private string ChainPrefix => prefix + "-";

    /// <summary>Everything of ours in iptables, ipset and the links and routes; then <paramref name="ipamDirectory"/> (DATA_DIR/agent/ipam) if given.</summary>
    /// <returns>What was removed, one line per kind, for the operator.</returns>
    public async Task<IReadOnlyList<string>> RunAsync(string? ipamDirectory, CancellationToken cancellationToken)
    {
        var removed = new List<string>();
        foreach (var table in Tables)
        {
            if (await TearDownTableAsync(table, cancellationToken) is { } done)
            {
                removed.Add(done);
            }
        }
        var sets = await ListSetsAsync(cancellationToken);
        if (sets.Count > 0)
        {
            await commands.RunCheckedAsync("ipset", ["-exist", "restore"], string.Concat(sets.Select(s => $"flush {s}\ndestroy {s}\n")), cancellationToken);
            removed.Add($"ipsets: {string.Join(' ', sets)}");
        }
        var routes = await new NodeRoutes(commands, OverlayBackend.None, PodNetworkOptions.DefaultOverlayDevice).ReadAsync(cancellationToken);
        if (routes.Routes.Count > 0)
        {
            await new NodeRoutes(commands, OverlayBackend.None, PodNetworkOptions.DefaultOverlayDevice).ReconcileAsync([], null, cancellationToken);
            removed.Add($"routes: {string.Join(' ', routes.Routes.Keys.Order(StringComparer.Ordinal))}");
        }
        var links = await ListLinksAsync(cancellationToken);
        if (links.Count > 0)
        {
            // Veths first: deleting one end takes its pod's end with it; the bridge and device go last.
            var batch = links.OrderBy(l => l.StartsWith(PodNetworkOptions.VethPrefix, StringComparison.Ordinal) ? 0 : 1).Select(l => $"link del dev {l}\n");
            await commands.RunCheckedAsync("ip", ["-batch", "-"], string.Concat(batch), cancellationToken);
            removed.Add($"links: {string.Join(' ', links)}");
        }
        var ipam = ipamDirectory is null ? null : Path.Combine(ipamDirectory, PodNetworkOptions.DefaultNetworkName);
        if (ipam is not null && Directory.Exists(ipam))
        {
            Directory.Delete(ipam, recursive: true);
            removed.Add($"pod addresses: {ipam}");
        }
        return removed;
    }

    /// <summary>One table: the jumps into our chains from others, then our chains, in one transaction; null when there is nothing of ours.</summary>
    private async Task<string?> TearDownTableAsync(string table, CancellationToken cancellationToken)
    {
        var saved = await commands.RunAsync("iptables-save", ["-t", table], null, cancellationToken);
        if (!saved.Succeeded)
        {
            return null; // a table the kernel does not have holds nothing of ours
        }
        var plan = Plan(table, saved.Output, ChainPrefix);
        if (plan is null)
        {
            return null;
        }
        await commands.RunCheckedAsync("iptables-restore", ["-w", "5", "--noflush"], plan.Value.Restore, cancellationToken);
        return $"iptables {table}: {plan.Value.Hooks} hooks, chains {string.Join(' ', plan.Value.Chains)}";
    }

    /// <summary>
    /// The <c>iptables-restore --noflush</c> input that unhooks and deletes our chains of one
    /// table, from its <c>iptables-save</c> text: each rule outside our chains that jumps (or goes)
    /// to one of ours becomes a <c>-D</c> of the same text; our chains are flushed, all of them
    /// before any is deleted. Null when the table has nothing of ours.
    /// </summary>
    internal static (string Restore, int Hooks, IReadOnlyList<string> Chains)? Plan(string table, string saved, string chainPrefix)
    {
        var lines = saved.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        List<string> chains = [.. lines.Where(l => l.StartsWith(':' + chainPrefix, StringComparison.Ordinal)).Select(l => l[1..].Split(' ', 2)[0])];
        List<string> hooks = [.. lines.Where(l => l.StartsWith("-A ", StringComparison.Ordinal)
            && !l[3..].StartsWith(chainPrefix, StringComparison.Ordinal)
            && (l.Contains(" -j " + chainPrefix, StringComparison.Ordinal) || l.Contains(" -g " + chainPrefix, StringComparison.Ordinal)))];
        if (chains.Count == 0 && hooks.Count == 0)
        {
            return null;
        }
        var restore = new StringBuilder().Append('*').Append(table).Append('\n');
        foreach (var hook in hooks)
        {
            restore.Append("-D ").Append(hook[3..]).Append('\n');
        }
        foreach (var chain in chains)
        {
            restore.Append("-F ").Append(chain).Append('\n');
        }
        foreach (var chain in chains)
        {
            restore.Append("-X ").Append(chain).Append('\n');
        }
        return (restore.Append("COMMIT\n").ToString(), hooks.Count, chains);
    }

    private async Task<IReadOnlyList<string>> ListSetsAsync(CancellationToken cancellationToken)
    {
        CommandResult listed;
        try
        {
            listed = await commands.RunAsync("ipset", ["list", "-n"], null, cancellationToken);
        }
        catch (HostCommandException)
        {
            return []; // ipset is not installed: no set can be ours
        }
        return listed.Succeeded
            ? [.. listed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(s => s.StartsWith(ChainPrefix, StringComparison.Ordinal))]
            : [];
    }

    /// <summary>Our links: pod veths (<c>mkv…</c>), the VXLAN device and the bridge.</summary>
    private async Task<IReadOnlyList<string>> ListLinksAsync(CancellationToken cancellationToken)
    {
        var shown = await commands.RunCheckedAsync("ip", ["-o", "link", "show"], null, cancellationToken);
        // "7: mkv0123456789ab@if6: <BROADCAST,…" — the name is the second word, without "@peer" and the colon.
        return [.. shown.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(w => w.Length > 1)
            .Select(w => w[1].TrimEnd(':').Split('@')[0])
            .Where(n => n.StartsWith(PodNetworkOptions.VethPrefix, StringComparison.Ordinal) || n == PodNetworkOptions.DefaultBridge || n == PodNetworkOptions.DefaultOverlayDevice)
            .Distinct(StringComparer.Ordinal)];
    }
}
