using System.Text;
using MiniKube.Agent.Network;

namespace MiniKube.Agent.NetworkPolicy;

/// <summary>
/// The <c>ipset</c> calls of the network policy controller, over <see cref="IHostCommands"/>.
/// New contents are built in a temporary set and swapped in (<c>ipset swap</c> is atomic), so a
/// rule never matches a half-filled set; the whole change is one <c>ipset restore</c> run. Only
/// sets whose names start with the given prefix are ever listed or destroyed.
/// </summary>
public sealed class IpSets(IHostCommands commands, PolicyNames names)
{
    /// <summary>Makes every set of <paramref name="sets"/> exist with exactly its entries.</summary>
    public async Task ApplyAsync(IReadOnlyList<IpSetSpec> sets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sets);
        if (sets.Count == 0)
        {
            return;
        }
        var script = new StringBuilder();
        script.Append("create ").Append(names.TemporaryIpSet).Append(' ').Append(IpSetSpec.HashIp).Append('\n');
        script.Append("create ").Append(names.TemporaryNetSet).Append(' ').Append(IpSetSpec.HashNet).Append('\n');
        foreach (var set in sets)
        {
            var temporary = set.Type == IpSetSpec.HashIp ? names.TemporaryIpSet : names.TemporaryNetSet;
            script.Append("create ").Append(set.Name).Append(' ').Append(set.Type).Append('\n');
            script.Append("flush ").Append(temporary).Append('\n');
            foreach (var entry in set.Entries)
            {
                script.Append("add ").Append(temporary).Append(' ').Append(entry).Append('\n');
            }
            script.Append("swap ").Append(temporary).Append(' ').Append(set.Name).Append('\n');
        }
        script.Append("destroy ").Append(names.TemporaryIpSet).Append('\n');
        script.Append("destroy ").Append(names.TemporaryNetSet).Append('\n');
        // -exist: a set that is there already is reused by its create line; the swap gives it its new contents.
        await commands.RunCheckedAsync("ipset", ["-exist", "restore"], script.ToString(), cancellationToken);
    }

    /// <summary>The names of the sets of ours that exist now.</summary>
    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken)
    {
        var listed = await commands.RunCheckedAsync("ipset", ["list", "-n"], null, cancellationToken);
        return [.. listed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(name => name.StartsWith(names.SetPrefix, StringComparison.Ordinal))];
    }

    /// <summary>Destroys the sets named; no rule may refer to them any more.</summary>
    public async Task DestroyAsync(IReadOnlyCollection<string> sets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sets);
        if (sets.Count == 0)
        {
            return;
        }
        var script = string.Concat(sets.Select(name => $"destroy {name}\n"));
        await commands.RunCheckedAsync("ipset", ["-exist", "restore"], script, cancellationToken);
    }
}
