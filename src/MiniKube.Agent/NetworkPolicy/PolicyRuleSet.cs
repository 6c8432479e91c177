using System.Text;

namespace MiniKube.Agent.NetworkPolicy;

/// <summary>An ipset as it must be: its name, type (<c>hash:ip</c> or <c>hash:net</c>) and entries (<c>10.0.0.0/8</c>, <c>10.1.0.0/16 nomatch</c>).</summary>
public sealed record IpSetSpec(string Name, string Type, IReadOnlyList<string> Entries)
{
    public const string HashIp = "hash:ip";
    public const string HashNet = "hash:net";
}

/// <summary>A filter chain as it must be: its rules, each the arguments after <c>-A NAME</c>.</summary>
public sealed record PolicyChain(string Name, IReadOnlyList<string> Rules);

/// <summary>
/// Everything the network policy controller enforces on a node at one moment: the ipsets and the
/// filter chains (top-level chains first). <see cref="PolicyCompiler"/> makes it from the API
/// objects; <see cref="PolicyFirewall"/> writes it. Equal inputs give equal rule sets.
/// </summary>
public sealed record PolicyRuleSet(IReadOnlyList<IpSetSpec> Sets, IReadOnlyList<PolicyChain> Chains)
{
    /// <summary>
    /// One <c>iptables-restore --noflush</c> input: every chain declared (which flushes it) and
    /// written again, and the <paramref name="staleChains"/> flushed and deleted in the same
    /// transaction, so no partial rule set is ever in force.
    /// </summary>
    public string FilterRestore(IEnumerable<string> staleChains)
    {
        ArgumentNullException.ThrowIfNull(staleChains);
        var stale = staleChains.Except(Chains.Select(c => c.Name), StringComparer.Ordinal).ToList();
        var text = new StringBuilder("*filter\n");
        foreach (var chain in Chains.Select(c => c.Name).Concat(stale))
        {
            text.Append(':').Append(chain).Append(" - [0:0]\n");
        }
        foreach (var chain in Chains)
        {
            foreach (var rule in chain.Rules)
            {
                text.Append("-A ").Append(chain.Name).Append(' ').Append(rule).Append('\n');
            }
        }
        foreach (var chain in stale)
        {
            text.Append("-X ").Append(chain).Append('\n');
        }
        return text.Append("COMMIT\n").ToString();
    }
}
