using MiniKube.Agent.Network;

namespace MiniKube.Agent.NetworkPolicy;

/// <summary>
/// Writes a <see cref="PolicyRuleSet"/> to the host, in an order that never exposes a partial
/// state: (1) the ipsets, each swapped in whole; (2) every chain of ours in one
/// <c>iptables-restore --noflush</c>, which also deletes the chains no longer wanted; (3) the
/// jumps from FORWARD and INPUT, kept at position 1 so they come before the pod network's
/// <c>MKUBE-POD-FORWARD</c> ACCEPT and Docker's rules (kube-router checks its
/// KUBE-ROUTER-FORWARD the same way on every sync); (4) the sets no rule refers to any more are
/// destroyed. Only what differs is written: from what it last wrote on an ordinary sync, from
/// what the host holds (<see cref="InstalledPolicy"/>, read back) on a full one. Each step is
/// idempotent; a sync that fails part-way is completed by the next.
/// </summary>
public sealed class PolicyFirewall(IHostCommands commands, PolicyNames names)
{
    private readonly Iptables _iptables = new(commands);
    private readonly IpSets _sets = new(commands, names);
    private Dictionary<string, IReadOnlyList<string>>? _appliedSets;
    private Dictionary<string, IReadOnlyList<string>>? _appliedChains;

    private string[] ForwardHook => [.. HookComment, "-j", names.ForwardChain];

    private string[] InputHook => [.. HookComment, "-j", names.InputChain];

    private static string[] HookComment => ["-m", "comment", "--comment", "mkube network policy"];

    /// <summary>
    /// Writes <paramref name="rules"/>, only what differs. An ordinary sync compares with what
    /// the last write held (kube-proxy's partial sync: a one-pod change with a thousand policies
    /// rewrites one chain) and reads nothing back. A <paramref name="full"/> sync (and the first,
    /// and the one after a failure) reads what the host holds — <c>iptables-save -t filter</c>
    /// and <c>ipset save</c>, two reads — and rewrites the sets and chains that differ from it, so
    /// a rule or entry changed by hand is repaired and an unchanged host gets no write at all.
    /// </summary>
    public async Task<PolicyWrites> ApplyAsync(PolicyRuleSet rules, bool full, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var (appliedSets, appliedChains) = (_appliedSets, _appliedChains);
        var installed = full || appliedSets is null || appliedChains is null ? await ReadAsync(cancellationToken) : null;
        // Forgotten until this write completes: a failure part-way makes the next write a full one.
        (_appliedSets, _appliedChains) = (null, null);
        var changedSets = rules.Sets
            .Where(s => installed is not null ? !installed.Holds(s) : !appliedSets!.TryGetValue(s.Name, out var entries) || !entries.SequenceEqual(s.Entries, StringComparer.Ordinal))
            .ToList();
        var wantedSets = rules.Sets.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        if (changedSets.Count > 0)
        {
            // Writing sets makes and destroys the temporary ones itself (one left by a crash included).
            wantedSets.UnionWith([names.TemporaryIpSet, names.TemporaryNetSet]);
        }
        var staleSets = (installed?.Sets.Keys ?? appliedSets!.Keys).Where(name => !wantedSets.Contains(name)).ToList();
        await _sets.ApplyAsync(changedSets, cancellationToken);
        var wantedChains = rules.Chains.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var staleChains = (installed?.Chains.Keys ?? appliedChains!.Keys).Where(name => !wantedChains.Contains(name)).ToList();
        var changed = new PolicyRuleSet([], [.. rules.Chains
            .Where(c => installed is not null ? !installed.Holds(c) : !appliedChains!.TryGetValue(c.Name, out var applied) || !applied.SequenceEqual(c.Rules, StringComparer.Ordinal))]);
        if (changed.Chains.Count > 0 || staleChains.Count > 0)
        {
            await _iptables.RestoreAsync(changed.FilterRestore(staleChains), cancellationToken);
        }
        var hooks = 0;
        hooks += await EnsureFirstAsync("FORWARD", ForwardHook, installed, cancellationToken) ? 1 : 0;
        hooks += await EnsureFirstAsync("INPUT", InputHook, installed, cancellationToken) ? 1 : 0;
        await _sets.DestroyAsync(staleSets, cancellationToken);
        _appliedSets = rules.Sets.ToDictionary(s => s.Name, s => s.Entries, StringComparer.Ordinal);
        _appliedChains = rules.Chains.ToDictionary(c => c.Name, c => c.Rules, StringComparer.Ordinal);
        return new PolicyWrites([.. changedSets.Select(s => s.Name)], [.. changed.Chains.Select(c => c.Name)], staleSets.Count, staleChains.Count, hooks);
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

    /// <summary>
    /// Makes <paramref name="hook"/> the first rule of <paramref name="chain"/>: moved there when
    /// something was inserted above it. Checked in <paramref name="installed"/> when the sync read
    /// the host, else with one <c>iptables -S</c>. True when it had to be (re)inserted.
    /// </summary>
    private async Task<bool> EnsureFirstAsync(string chain, string[] hook, InstalledPolicy? installed, CancellationToken cancellationToken)
    {
        string? first;
        if (installed is not null)
        {
            first = installed.FirstRules.GetValueOrDefault(chain);
        }
        else
        {
            var listed = await commands.RunCheckedAsync("iptables", ["-w", "5", "-t", "filter", "-S", chain], null, cancellationToken);
            first = listed.Output.Split('\n').FirstOrDefault(line => line.StartsWith("-A ", StringComparison.Ordinal))?[(3 + chain.Length + 1)..];
        }
        if (first is not null && first.EndsWith(" -j " + hook[^1], StringComparison.Ordinal))
        {
            return false;
        }
        await _iptables.DeleteRuleAsync("filter", chain, hook, cancellationToken);
        await _iptables.EnsureRuleAsync("filter", chain, hook, cancellationToken);
        return true;
    }

    /// <summary>What the host holds of ours now: one <c>iptables-save</c> and one <c>ipset save</c>.</summary>
    private async Task<InstalledPolicy> ReadAsync(CancellationToken cancellationToken)
    {
        var iptables = await commands.RunCheckedAsync("iptables-save", ["-t", "filter"], null, cancellationToken);
        var ipsets = await commands.RunCheckedAsync("ipset", ["save"], null, cancellationToken);
        return InstalledPolicy.Parse(iptables.Output, ipsets.Output, names);
    }
}

/// <summary>What one <see cref="PolicyFirewall.ApplyAsync"/> wrote: the sets and chains (re)written, how many stale ones it removed, how many hooks it (re)inserted.</summary>
public sealed record PolicyWrites(IReadOnlyList<string> Sets, IReadOnlyList<string> Chains, int RemovedSets, int RemovedChains, int Hooks)
{
    public bool Nothing => Sets.Count == 0 && Chains.Count == 0 && RemovedSets == 0 && RemovedChains == 0 && Hooks == 0;
}
