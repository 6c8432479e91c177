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
/// </summary>
public sealed class PolicyFirewall(IHostCommands commands, PolicyNames names)
{
    private readonly Iptables _iptables = new(commands);
    private readonly IpSets _sets = new(commands, names);

    private string[] ForwardHook => ["-m", "comment", "--comment", "mkube network policy", "-j", names.ForwardChain];

    private string[] InputHook => ["-m", "comment", "--comment", "mkube network policy", "-j", names.InputChain];

    public async Task ApplyAsync(PolicyRuleSet rules, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var staleSets = (await _sets.ListAsync(cancellationToken)).Except(rules.Sets.Select(s => s.Name), StringComparer.Ordinal).ToList();
        await _sets.ApplyAsync(rules.Sets, cancellationToken);
        var staleChains = (await _iptables.ListChainsAsync("filter", cancellationToken)).Where(names.IsOwnedChain);
        await _iptables.RestoreAsync(rules.FilterRestore(staleChains), cancellationToken);
        await EnsureFirstAsync("FORWARD", ForwardHook, cancellationToken);
        await EnsureFirstAsync("INPUT", InputHook, cancellationToken);
        await _sets.DestroyAsync(staleSets, cancellationToken);
    }

    /// <summary>Removes the hooks, every chain and every set of ours.</summary>
    public async Task TearDownAsync(CancellationToken cancellationToken)
    {
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
