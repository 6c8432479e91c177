namespace MiniKube.ApiServer.Rbac;

/// <summary>
/// The roles and bindings every cluster starts with, after upstream's bootstrap policy
/// (plugin/pkg/auth/authorizer/rbac/bootstrappolicy policy.go, controller_policy.go and
/// namespace_policy.go of v1.32), read from our own compact table, the embedded
/// <c>BootstrapPolicy.txt</c>. Its lines: <c>clusterrole NAME [aggregates=LABEL] [LABEL=VALUE…]</c>,
/// <c>controller ACCOUNT</c> (ClusterRole <c>system:controller:ACCOUNT</c> bound to that kube-system
/// service account), <c>role NAMESPACE NAME</c>, each followed by indented rules
/// <c>VERBS | GROUPS | RESOURCES [| NAME]</c> or <c>url VERBS | URLS</c> (<c>core</c> is the ""
/// group; <c>$read</c>, <c>$write</c>, <c>$readwrite</c> and <c>$events</c> expand); and
/// <c>clusterrolebinding NAME ROLE</c> or <c>rolebinding NAMESPACE NAME KIND ROLE</c>, each followed
/// by subjects <c>User NAME</c>, <c>Group NAME</c>, <c>ServiceAccount NAMESPACE/NAME</c>.
/// <c>admin</c>, <c>edit</c> and <c>view</c> are aggregated roles; <see cref="ClusterRoles"/>
/// carries their rules already gathered from the bootstrap roles, as upstream stores them once
/// its aggregation controller has run. Read once; a malformed table fails the type's initializer.
/// </summary>
internal static class BootstrapPolicy
{
    public const string AutoUpdateAnnotation = "rbac.authorization.kubernetes.io/autoupdate";
    public const string BootstrappingLabel = "kubernetes.io/bootstrapping";
    public const string AggregateToAdmin = "rbac.authorization.k8s.io/aggregate-to-admin";
    public const string AggregateToEdit = "rbac.authorization.k8s.io/aggregate-to-edit";
    public const string AggregateToView = "rbac.authorization.k8s.io/aggregate-to-view";

    private const string ControllerNamespace = "kube-system";

    private static readonly Dictionary<string, string> Verbs = new(StringComparer.Ordinal)
    {
        ["$read"] = "get list watch",
        ["$write"] = "create update patch delete deletecollection",
        ["$readwrite"] = "get list watch create update patch delete deletecollection",
    };

    /// <summary>A ClusterRole: rules, extra labels, and the label its aggregationRule selects (null: not aggregated).</summary>
    public sealed record ClusterRoleSpec(string Name, PolicyRule[] Rules, (string Key, string Value)[] Labels, string? AggregatesLabel = null);

    /// <summary>A Role in a namespace.</summary>
    public sealed record RoleSpec(string Namespace, string Name, PolicyRule[] Rules);

    /// <summary>A subject: kind User, Group or ServiceAccount (with its namespace).</summary>
    public sealed record SubjectSpec(string Kind, string Name, string Namespace = "");

    /// <summary>A binding; a namespace makes it a RoleBinding, else a ClusterRoleBinding.</summary>
    public sealed record BindingSpec(string Name, string RoleKind, string RoleName, SubjectSpec[] Subjects, string Namespace = "");

    private static readonly Table Parsed = Table.Read();

    /// <summary>Every bootstrap ClusterRole, the aggregated ones with their gathered rules.</summary>
    public static IReadOnlyList<ClusterRoleSpec> ClusterRoles { get; } = Aggregate([.. Parsed.ClusterRoles]);

    /// <summary>Every bootstrap ClusterRoleBinding (and, with a namespace, RoleBinding).</summary>
    public static IReadOnlyList<BindingSpec> Bindings => Parsed.Bindings;

    /// <summary>Every bootstrap Role.</summary>
    public static IReadOnlyList<RoleSpec> Roles => Parsed.Roles;

    /// <summary>Whether two rules say the same (field by field, in order).</summary>
    public static bool SameRule(PolicyRule a, PolicyRule b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.Verbs.SequenceEqual(b.Verbs) && a.ApiGroups.SequenceEqual(b.ApiGroups) && a.Resources.SequenceEqual(b.Resources)
            && a.ResourceNames.SequenceEqual(b.ResourceNames) && a.NonResourceUrls.SequenceEqual(b.NonResourceUrls);
    }

    // Fills each aggregated role with the rules of the roles its label selects (sorted by name,
    // each rule once), repeated until nothing changes: edit gathers view, admin gathers edit.
    private static ClusterRoleSpec[] Aggregate(ClusterRoleSpec[] roles)
    {
        for (var changed = true; changed;)
        {
            changed = false;
            for (var i = 0; i < roles.Length; i++)
            {
                if (roles[i].AggregatesLabel is not { } label)
                {
                    continue;
                }
                var gathered = new List<PolicyRule>();
                foreach (var source in roles.Where(r => r.Labels.Contains((label, "true"))).OrderBy(r => r.Name, StringComparer.Ordinal))
                {
                    gathered.AddRange(source.Rules.Where(rule => !gathered.Any(g => SameRule(g, rule))));
                }
                if (gathered.Count != roles[i].Rules.Length)
                {
                    roles[i] = roles[i] with { Rules = [.. gathered] };
                    changed = true;
                }
            }
        }
        return roles;
    }

    // The table read line by line: a header line opens an entry, indented lines fill it.
    private sealed class Table
    {
        public List<ClusterRoleSpec> ClusterRoles { get; } = [];

        public List<RoleSpec> Roles { get; } = [];

        public List<BindingSpec> Bindings { get; } = [];

        public static Table Read()
        {
            using var stream = typeof(BootstrapPolicy).Assembly.GetManifestResourceStream("MiniKube.ApiServer.Rbac.BootstrapPolicy.txt")
                ?? throw new InvalidOperationException("the bootstrap policy table is not embedded");
            using var reader = new StreamReader(stream);
            var table = new Table();
            var entries = new List<(string[] Header, List<string> Body)>();
            while (reader.ReadLine() is { } line)
            {
                if (line.Length == 0 || line.StartsWith('#'))
                {
                    continue;
                }
                if (char.IsWhiteSpace(line[0]))
                {
                    entries[^1].Body.Add(line.Trim());
                }
                else
                {
                    entries.Add((Words(line), []));
                }
            }
            foreach (var (header, body) in entries)
            {
                table.Add(header, body);
            }
            return table;
        }

        private void Add(string[] header, List<string> body)
        {
            switch (header[0])
            {
                case "clusterrole":
                    var aggregates = header.Skip(2).FirstOrDefault(w => w.StartsWith("aggregates=", StringComparison.Ordinal))?["aggregates=".Length..];
                    var labels = header.Skip(2).Where(w => !w.StartsWith("aggregates=", StringComparison.Ordinal))
                        .Select(w => (w[..w.IndexOf('=', StringComparison.Ordinal)], w[(w.IndexOf('=', StringComparison.Ordinal) + 1)..])).ToArray();
                    ClusterRoles.Add(new(header[1], Rules(body), labels, aggregates));
                    break;
                case "controller":
                    ClusterRoles.Add(new("system:controller:" + header[1], Rules(body), []));
                    Bindings.Add(new("system:controller:" + header[1], "ClusterRole", "system:controller:" + header[1], [new("ServiceAccount", header[1], ControllerNamespace)]));
                    break;
                case "role":
                    Roles.Add(new(header[1], header[2], Rules(body)));
                    break;
                case "clusterrolebinding":
                    Bindings.Add(new(header[1], "ClusterRole", header[2], Subjects(body)));
                    break;
                case "rolebinding":
                    Bindings.Add(new(header[2], header[3], header[4], Subjects(body), header[1]));
                    break;
                default:
                    throw new InvalidOperationException($"bootstrap policy: unknown entry {header[0]}");
            }
        }

        private static PolicyRule[] Rules(List<string> lines) => lines.Select(Rule).ToArray();

        private static PolicyRule Rule(string line)
        {
            if (line == "$events")
            {
                return new(["create", "update", "patch"], ["", "events.k8s.io"], ["events"], [], []);
            }
            var url = line.StartsWith("url ", StringComparison.Ordinal);
            var parts = (url ? line[4..] : line).Split('|', StringSplitOptions.TrimEntries);
            var verbs = Words(string.Join(' ', Words(parts[0]).Select(v => Verbs.GetValueOrDefault(v, v))));
            if (url)
            {
                return new(verbs, [], [], [], Words(parts[1]));
            }
            var groups = Words(parts[1]).Select(g => g == "core" ? "" : g).ToArray();
            return new(verbs, groups, Words(parts[2]), parts.Length > 3 ? [parts[3]] : [], []);
        }

        private static SubjectSpec[] Subjects(List<string> lines) => lines.Select(line =>
        {
            var words = Words(line);
            if (words[0] != "ServiceAccount")
            {
                return new SubjectSpec(words[0], words[1]);
            }
            var slash = words[1].IndexOf('/', StringComparison.Ordinal);
            return new SubjectSpec(words[0], words[1][(slash + 1)..], words[1][..slash]);
        }).ToArray();
    }

    private static string[] Words(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
