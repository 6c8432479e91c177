namespace MiniKube.Agent.NetworkPolicy;

/// <summary>
/// What the host holds of the network policy controller's rules, read back for a periodic
/// resync: our chains' rules as <c>iptables-save -t filter</c> prints them, the first rule of
/// FORWARD and INPUT (where our hooks must be), and our ipsets' types and entries as
/// <c>ipset save</c> prints them. The compiler writes rules in the form iptables-save prints
/// (<c>-d 10.0.0.7/32</c>, <c>-p</c> before the other matches), so equal text means an
/// unchanged rule; set entries are compared as sets, with <c>/32</c> dropped as ipset drops it
/// for a single address. Anything else on the host is skipped unread.
/// </summary>
public sealed class InstalledPolicy
{
    private InstalledPolicy(Dictionary<string, List<string>> chains, Dictionary<string, string> firstRules, Dictionary<string, (string Type, HashSet<string> Entries)> sets)
    {
        Chains = chains;
        FirstRules = firstRules;
        Sets = sets;
    }

    /// <summary>Our chains that exist, each with its rules (the text after <c>-A NAME </c>).</summary>
    public IReadOnlyDictionary<string, List<string>> Chains { get; }

    /// <summary>The first rule of FORWARD and of INPUT (text after <c>-A NAME </c>), when they have one.</summary>
    public IReadOnlyDictionary<string, string> FirstRules { get; }

    /// <summary>Our sets that exist: type and normalized entries.</summary>
    public IReadOnlyDictionary<string, (string Type, HashSet<string> Entries)> Sets { get; }

    /// <summary>Reads <paramref name="iptablesSave"/> (of the filter table) and <paramref name="ipsetSave"/>, keeping what <paramref name="names"/> owns.</summary>
    public static InstalledPolicy Parse(string iptablesSave, string ipsetSave, PolicyNames names)
    {
        ArgumentNullException.ThrowIfNull(iptablesSave);
        ArgumentNullException.ThrowIfNull(ipsetSave);
        ArgumentNullException.ThrowIfNull(names);
        var chains = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var firstRules = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in iptablesSave.Split('\n'))
        {
            if (line.StartsWith(':'))
            {
                var declared = line[1..].Split(' ', 2)[0];
                if (names.IsOwnedChain(declared))
                {
                    chains.TryAdd(declared, []);
                }
            }
            else if (line.StartsWith("-A ", StringComparison.Ordinal))
            {
                var (chain, rule) = Split(line[3..]);
                if (chains.TryGetValue(chain, out var rules))
                {
                    rules.Add(rule);
                }
                else if (chain is "FORWARD" or "INPUT")
                {
                    firstRules.TryAdd(chain, rule);
                }
            }
        }
        var sets = new Dictionary<string, (string Type, HashSet<string> Entries)>(StringComparer.Ordinal);
        foreach (var line in ipsetSave.Split('\n'))
        {
            if (line.StartsWith("create ", StringComparison.Ordinal))
            {
                var (created, options) = Split(line[7..]);
                if (created.StartsWith(names.SetPrefix, StringComparison.Ordinal))
                {
                    sets[created] = (options.Split(' ', 2)[0], new HashSet<string>(StringComparer.Ordinal));
                }
            }
            else if (line.StartsWith("add ", StringComparison.Ordinal))
            {
                var (set, entry) = Split(line[4..]);
                if (sets.TryGetValue(set, out var existing))
                {
                    existing.Entries.Add(Normalize(entry));
                }
            }
        }
        return new InstalledPolicy(chains, firstRules, sets);
    }

    /// <summary>Whether the set exists with the type and exactly the entries wanted.</summary>
    public bool Holds(IpSetSpec set)
    {
        ArgumentNullException.ThrowIfNull(set);
        return Sets.TryGetValue(set.Name, out var installed)
            && installed.Type == set.Type
            && installed.Entries.Count == set.Entries.Count
            && set.Entries.All(entry => installed.Entries.Contains(Normalize(entry)));
    }

    /// <summary>Whether the chain exists with exactly the rules wanted, in order.</summary>
    public bool Holds(PolicyChain chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        return Chains.TryGetValue(chain.Name, out var installed) && installed.SequenceEqual(chain.Rules, StringComparer.Ordinal);
    }

    /// <summary>ipset prints a single address of a hash:net set without its <c>/32</c>.</summary>
    private static string Normalize(string entry)
    {
        var trimmed = entry.TrimEnd('\r');
        var space = trimmed.IndexOf(' ', StringComparison.Ordinal);
        var (network, flags) = space < 0 ? (trimmed, "") : (trimmed[..space], trimmed[space..]);
        return (network.EndsWith("/32", StringComparison.Ordinal) ? network[..^3] : network) + flags;
    }

    private static (string Head, string Tail) Split(string text)
    {
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? (text, "") : (text[..space], text[(space + 1)..]);
    }
}
