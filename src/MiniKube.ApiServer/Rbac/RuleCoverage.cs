using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Rbac;

/// <summary>
/// Whether one set of rules grants everything another does, as upstream's escalation check
/// compares them (component-helpers auth/rbac/validation policy_comparator.go Covers): the
/// granted rules are broken down into one group, resource, verb and name each, and each piece
/// must be covered by a single held rule. Held <c>*/subresource</c> covers any resource's
/// subresource of that name. Also how the missing pieces are compacted and printed for the 403
/// (pkg/registry/rbac/validation policy_compact.go and rbacv1helpers.CompactString).
/// </summary>
internal static class RuleCoverage
{
    /// <summary>The broken-down pieces of <paramref name="wanted"/> that <paramref name="held"/> does not cover; empty when covered.</summary>
    public static List<PolicyRule> Uncovered(IReadOnlyList<PolicyRule> held, IEnumerable<PolicyRule> wanted)
    {
        ArgumentNullException.ThrowIfNull(held);
        ArgumentNullException.ThrowIfNull(wanted);
        var missing = new List<PolicyRule>();
        foreach (var piece in wanted.SelectMany(Breakdown))
        {
            if (!held.Any(h => Covers(h, piece)))
            {
                missing.Add(piece);
            }
        }
        return missing;
    }

    /// <summary>BreakdownRule: one verb, group, resource and name per rule; URLs with one verb each.</summary>
    public static IEnumerable<PolicyRule> Breakdown(PolicyRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        foreach (var group in rule.ApiGroups)
        {
            foreach (var resource in rule.Resources)
            {
                foreach (var verb in rule.Verbs)
                {
                    if (rule.ResourceNames.Length == 0)
                    {
                        yield return new([verb], [group], [resource], [], []);
                        continue;
                    }
                    foreach (var name in rule.ResourceNames)
                    {
                        yield return new([verb], [group], [resource], [name], []);
                    }
                }
            }
        }
        foreach (var url in rule.NonResourceUrls)
        {
            foreach (var verb in rule.Verbs)
            {
                yield return new([verb], [], [], [], [url]);
            }
        }
    }

    // ruleCovers: the owner rule covers a broken-down piece.
    private static bool Covers(PolicyRule owner, PolicyRule piece)
    {
        var verbs = owner.Verbs.Contains("*") || piece.Verbs.All(owner.Verbs.Contains);
        var groups = owner.ApiGroups.Contains("*") || piece.ApiGroups.All(owner.ApiGroups.Contains);
        var names = piece.ResourceNames.Length == 0
            ? owner.ResourceNames.Length == 0
            : owner.ResourceNames.Length == 0 || piece.ResourceNames.All(owner.ResourceNames.Contains);
        return verbs && groups && names && ResourcesCovered(owner.Resources, piece.Resources)
            && piece.NonResourceUrls.All(url => owner.NonResourceUrls.Any(o => o == url || (o.EndsWith('*') && url.StartsWith(o.TrimEnd('*'), StringComparison.Ordinal))));
    }

    // resourceCoversAll.
    private static bool ResourcesCovered(string[] owner, string[] wanted)
    {
        if (owner.Contains("*"))
        {
            return true;
        }
        foreach (var resource in wanted)
        {
            if (owner.Contains(resource))
            {
                continue;
            }
            var slash = resource.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0 || !owner.Contains("*/" + resource[(slash + 1)..]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// CompactRules then CompactString of each, sorted and de-duplicated as a string set: pieces
    /// of one group and resource (and at most one name) differing only by verb become one rule.
    /// </summary>
    public static IReadOnlyList<string> Describe(IEnumerable<PolicyRule> missing)
    {
        ArgumentNullException.ThrowIfNull(missing);
        var compacted = new List<PolicyRule>();
        var simple = new Dictionary<(string Group, string Resource, string? Name), List<string>>();
        var order = new List<(string, string, string?)>();
        foreach (var rule in missing)
        {
            if (rule.NonResourceUrls.Length == 0 && rule.ApiGroups.Length == 1 && rule.Resources.Length == 1 && rule.ResourceNames.Length <= 1)
            {
                var key = (rule.ApiGroups[0], rule.Resources[0], rule.ResourceNames.Length == 1 ? rule.ResourceNames[0] : null);
                if (!simple.TryGetValue(key, out var verbs))
                {
                    simple[key] = verbs = [];
                    order.Add(key);
                }
                verbs.AddRange(rule.Verbs.Where(v => !verbs.Contains(v)));
                continue;
            }
            compacted.Add(rule);
        }
        compacted.AddRange(order.Select(k => new PolicyRule([.. simple[k]], [k.Item1], [k.Item2], k.Item3 is null ? [] : [k.Item3], [])));
        return compacted.Select(CompactString).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>rbacv1helpers.CompactString: <c>{APIGroups:[""], Resources:["pods"], Verbs:["create"]}</c>.</summary>
    public static string CompactString(PolicyRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var parts = new List<string>();
        Part(parts, "APIGroups", rule.ApiGroups);
        Part(parts, "Resources", rule.Resources);
        Part(parts, "NonResourceURLs", rule.NonResourceUrls);
        Part(parts, "ResourceNames", rule.ResourceNames);
        Part(parts, "Verbs", rule.Verbs);
        return "{" + string.Join(", ", parts) + "}";
    }

    /// <summary>Go's %q of a []string: <c>["a" "b"]</c>.</summary>
    public static string GoQuotedList(IEnumerable<string> values) => "[" + string.Join(" ", values.Select(GoSyntax.Quote)) + "]";

    private static void Part(List<string> parts, string name, string[] values)
    {
        if (values.Length > 0)
        {
            parts.Add(name + ":" + GoQuotedList(values));
        }
    }
}
