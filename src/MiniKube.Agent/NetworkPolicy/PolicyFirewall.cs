using MiniKube.Agent.Network;

namespace MiniKube.Agent.NetworkPolicy;

/// <summary>
/// Writes a <see cref="PolicyRuleSet"/> to the host, in an order that never exposes a partial
/// state: (1) the ipsets, each swapped in whole; (2) every chain of ours in one
/// <c>iptables-restore --noflush</c>, which also deletes the chains no longer wanted; (3) the
/// jumps from FORWARD and INPUT, kept at position 1 so they come before the pod network's
/// <c>MKUBE-POD-FORWARD</c> ACCEPT and Docker's rules (kube-router checks its
/// KUBE-ROUTER-FORWARD the same way on every sync); (4) the sets no rule refers to any more are
/// destroyed. Each step is idempotent; a sync that fails part-way is completed by the next.
/// Remembers what it last wrote, so a sync that is not full writes only what changed.
/// </summary>
public sealed class PolicyFirewall(IHostCommands commands, PolicyNames names)
{
    private readonly Iptables _iptables = new(commands);
    private readonly IpSets _sets = new(commands, names);
    private Dictionary<string, IReadOnlyList<string>>? _appliedSets;
    private Dictionary<string, IReadOnlyList<string>>? _appliedChains;

    private string[] ForwardHook => ["-m", "comment", "--comment", "mkube network policy", "-j", names.ForwardChain];

    private string[] InputHook => ["-m", "comment", "--comment", "mkube network policy", "-j", names.InputChain];

    /// <summary>
    /// Writes <paramref name="rules"/>. A <paramref name="full"/> write (and the first, and the
    /// one after a failure) reads what exists and rewrites every set and chain; otherwise only the
    /// sets and chains that differ from the last write are written, and what that write held but
    /// this one does not is removed — kube-proxy's partial sync, which keeps a one-pod change cheap
    /// with a thousand policies.
    /// </summary>
    public async Task ApplyAsync(PolicyRuleSet rules, bool full, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var (appliedSets, appliedChains) = (_appliedSets, _appliedChains);
        full |= appliedSets is null || appliedChains is null;
        // Forgotten until this write completes: a failure part-way makes the next write a full one.
        (_appliedSets, _appliedChains) = (null, null);
        var wantedSets = rules.Sets.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        if (rules.Sets.Count > 0)
        {
            // Writing sets makes and destroys the temporary ones itself (one left by a crash included).
            wantedSets.UnionWith([names.TemporaryIpSet, names.TemporaryNetSet]);
        }
        var staleSets = (full ? await _sets.ListAsync(cancellationToken) : (IEnumerable<string>)appliedSets!.Keys).Where(name => !wantedSets.Contains(name)).ToList();
        await _sets.ApplyAsync([.. rules.Sets.Where(s => full || !appliedSets!.TryGetValue(s.Name, out var entries) || !entries.SequenceEqual(s.Entries, StringComparer.Ordinal))], cancellationToken);
        var wantedChains = rules.Chains.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var existingChains = full ? (await _iptables.ListChainsAsync("filter", cancellationToken)).Where(names.IsOwnedChain) : (IEnumerable<string>)appliedChains!.Keys;
        var staleChains = existingChains.Where(name => !wantedChains.Contains(name)).ToList();
        var changed = new PolicyRuleSet([], [.. rules.Chains.Where(c => full || !appliedChains!.TryGetValue(c.Name, out var applied) || !applied.SequenceEqual(c.Rules, StringComparer.Ordinal))]);
        if (changed.Chains.Count > 0 || staleChains.Count > 0)
        {
            await _iptables.RestoreAsync(changed.FilterRestore(staleChains), cancellationToken);
        }
        await EnsureFirstAsync("FORWARD", ForwardHook, cancellationToken);
        await EnsureFirstAsync("INPUT", InputHook, cancellationToken);
        await _sets.DestroyAsync(staleSets, cancellationToken);
        _appliedSets = rules.Sets.ToDictionary(s => s.Name, s => s.Entries, StringComparer.Ordinal);
        _appliedChains = rules.Chains.ToDictionary(c => c.Name, c => c.Rules, StringComparer.Ordinal);
    }

    /// <summary>Removes the hooks, every chain and every set of ours.</summary>
    public async Task TearDownAsync(CancellationToken cancellationToken)
    {
        (_appliedSets, _appliedChains) = (null, null);
        await _iptables.DeleteRuleAsync("filter", "FORWARD", ForwardHook, cancellationToken);
        await _iptables.DeleteRuleAsync("filter", "INPUT", InputHook, cancellationToken);
        var chains = (await _iptables.ListChainsAsync("filter", cancellationToken)).Where(names.IsOwnedChain).ToList();
        await _iptables.DeleteChainsAsync("filter", chains, cancellationToken);
        await _sets.DestroyAsync(await _sets.ListAsync(cancellationToken), cancellationToken);
    }

    /// <summary>Makes <paramref name="hook"/> the first rule of <paramref name="chain"/>: moved there when something was inserted above it.</summary>
    private async Task EnsureFirstAsync(string chain, string[] hook, CancellationToken cancellationToken)
    {
        var listed = await commands.RunCheckedAsync("iptables", ["-w", "5", "-t", "filter", "-S", chain], null, cancellationToken);
        var first = listed.Output.Split('\n').FirstOrDefault(line => line.StartsWith("-A ", StringComparison.Ordinal));
        if (first is not null && first.EndsWith(" -j " + hook[^1], StringComparison.Ordinal))
        {
            return;
        }
        await _iptables.DeleteRuleAsync("filter", chain, hook, cancellationToken);
        await _iptables.EnsureRuleAsync("filter", chain, hook, cancellationToken);
    }
}
