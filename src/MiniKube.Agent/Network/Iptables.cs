namespace MiniKube.Agent.Network;

/// <summary>
/// The iptables calls mkube makes, over <see cref="IHostCommands"/>: whole chains written in one
/// <c>iptables-restore --noflush</c> transaction, single jump rules checked (<c>-C</c>) before
/// they are inserted or deleted so every call is idempotent. Each call passes <c>-w</c> so a
/// Docker or firewall change in flight is waited for rather than failed. Only chains named by
/// the caller are written; other chains are touched only by the jumps inserted into them.
/// </summary>
public sealed class Iptables(IHostCommands commands)
{
    private static readonly string[] Wait = ["-w", "5"];

    /// <summary>Applies one <c>iptables-restore --noflush</c> input as one transaction (declared chains are flushed first).</summary>
    public async Task RestoreAsync(string rules, CancellationToken cancellationToken) =>
        await commands.RunCheckedAsync("iptables-restore", [.. Wait, "--noflush"], rules, cancellationToken);

    /// <summary>The names of <paramref name="table"/>'s chains now.</summary>
    public async Task<IReadOnlyList<string>> ListChainsAsync(string table, CancellationToken cancellationToken)
    {
        var saved = await commands.RunCheckedAsync("iptables-save", ["-t", table], null, cancellationToken);
        return [.. saved.Output.Split('\n')
            .Where(line => line.StartsWith(':'))
            .Select(line => line[1..].Split(' ', 2)[0])];
    }

    /// <summary>Inserts the rule at the top of <paramref name="chain"/> unless it is there already.</summary>
    public async Task EnsureRuleAsync(string table, string chain, IReadOnlyList<string> rule, CancellationToken cancellationToken)
    {
        if (!await ExistsAsync(table, chain, rule, cancellationToken))
        {
            await commands.RunCheckedAsync("iptables", [.. Wait, "-t", table, "-I", chain, .. rule], null, cancellationToken);
        }
    }

    /// <summary>Deletes every copy of the rule from <paramref name="chain"/>; nothing when there is none (or no such chain).</summary>
    public async Task DeleteRuleAsync(string table, string chain, IReadOnlyList<string> rule, CancellationToken cancellationToken)
    {
        while (await ExistsAsync(table, chain, rule, cancellationToken))
        {
            await commands.RunCheckedAsync("iptables", [.. Wait, "-t", table, "-D", chain, .. rule], null, cancellationToken);
        }
    }

    /// <summary>Flushes and deletes the chains of <paramref name="table"/> that exist among <paramref name="chains"/>; nothing may jump to them any more.</summary>
    public async Task DeleteChainsAsync(string table, IReadOnlyCollection<string> chains, CancellationToken cancellationToken)
    {
        var present = (await ListChainsAsync(table, cancellationToken)).Intersect(chains, StringComparer.Ordinal).ToList();
        if (present.Count == 0)
        {
            return;
        }
        var rules = new System.Text.StringBuilder().Append('*').Append(table).Append('\n');
        // Flushed first, all of them, so rules of one that jump to another do not keep it alive.
        foreach (var chain in present)
        {
            rules.Append("-F ").Append(chain).Append('\n');
        }
        foreach (var chain in present)
        {
            rules.Append("-X ").Append(chain).Append('\n');
        }
        await RestoreAsync(rules.Append("COMMIT\n").ToString(), cancellationToken);
    }

    private async Task<bool> ExistsAsync(string table, string chain, IReadOnlyList<string> rule, CancellationToken cancellationToken) =>
        (await commands.RunAsync("iptables", [.. Wait, "-t", table, "-C", chain, .. rule], null, cancellationToken)).Succeeded;
}
