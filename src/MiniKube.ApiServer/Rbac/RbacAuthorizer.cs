using MiniKube.ApiServer.Auth;
using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Rbac;

/// <summary>
/// The RBAC authorizer and rule resolver (plugin/pkg/auth/authorizer/rbac/rbac.go over
/// pkg/registry/rbac/validation/rule.go's DefaultRuleResolver), deciding from the in-memory
/// <see cref="RbacPolicy"/>: the ClusterRoleBindings that name the user, one of its groups or
/// (as its user name) its service account are visited first, then the RoleBindings of the
/// request's namespace; a RoleBinding to a ClusterRole grants its rules in that namespace only.
/// The first rule that allows the request allows it, with upstream's "RBAC: allowed by …" reason.
/// Otherwise the answer is NoOpinion: its reason is empty, or names the roles that bindings
/// refer to but that do not exist (<c>RBAC: clusterrole.rbac.authorization.k8s.io "x" not found</c>).
/// Costs O(bindings naming the requester); an allowed request allocates nothing.
/// </summary>
internal sealed class RbacAuthorizer(RbacPolicy policy) : IAuthorizer, IRuleResolver
{
    public AuthorizationResult Authorize(RequestAttributes attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        var user = attributes.User;
        var missingRole = false;
        if (Allows(user, "", attributes, ref missingRole) is { } cluster)
        {
            return AuthorizationResult.Allowed(cluster);
        }
        if (attributes.Namespace.Length > 0 && Allows(user, attributes.Namespace, attributes, ref missingRole) is { } local)
        {
            return AuthorizationResult.Allowed(local);
        }
        return AuthorizationResult.NoOpinion(missingRole ? "RBAC: " + Aggregate(ResolutionErrors(user, attributes.Namespace)) : "");
    }

    public RuleSet RulesFor(UserInfo user, string @namespace)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(@namespace);
        var rules = new List<k8s.Models.V1PolicyRule>();
        foreach (var subject in Relevant(user, @namespace))
        {
            if (RulesOf(subject.Binding) is { } found)
            {
                rules.AddRange(found.Select(r => r.ToV1()));
            }
        }
        var errors = ResolutionErrors(user, @namespace);
        return new RuleSet(rules, errors.Count > 0, errors.Count > 0 ? Aggregate(errors) : "");
    }

    /// <summary>The rules held by <paramref name="user"/> in <paramref name="namespace"/>, as compiled rules, with the resolution errors.</summary>
    public (List<PolicyRule> Rules, IReadOnlyList<string> Errors) CompiledRulesFor(UserInfo user, string @namespace)
    {
        var rules = new List<PolicyRule>();
        foreach (var subject in Relevant(user, @namespace))
        {
            if (RulesOf(subject.Binding) is { } found)
            {
                rules.AddRange(found);
            }
        }
        return (rules, ResolutionErrors(user, @namespace));
    }

    /// <summary>GetRoleReferenceRules: the rules of the role a binding in <paramref name="bindingNamespace"/> refers to; null when missing.</summary>
    public PolicyRule[]? RoleReferenceRules(string kind, string name, string bindingNamespace) => kind switch
    {
        "ClusterRole" => policy.ClusterRole(name),
        "Role" => policy.Role(bindingNamespace, name),
        _ => null,
    };

    /// <summary>utilerrors.NewAggregate's text: one error alone, several in brackets, repeats folded.</summary>
    public static string Aggregate(IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var distinct = errors.Distinct(StringComparer.Ordinal).ToList();
        return distinct.Count == 1 ? distinct[0] : "[" + string.Join(", ", distinct) + "]";
    }

    // The reason of the first rule allowing the request among the bindings in ns that name the user.
    private string? Allows(UserInfo user, string ns, RequestAttributes attributes, ref bool missingRole)
    {
        if (Allows(policy.ForUser(user.Name, ns), attributes, ref missingRole) is { } byName)
        {
            return byName;
        }
        var groups = user.Groups;
        for (var i = 0; i < groups.Count; i++)
        {
            if (Allows(policy.ForGroup(groups[i], ns), attributes, ref missingRole) is { } byGroup)
            {
                return byGroup;
            }
        }
        return null;
    }

    private string? Allows(BindingSubject[]? subjects, RequestAttributes attributes, ref bool missingRole)
    {
        if (subjects is null)
        {
            return null;
        }
        foreach (var subject in subjects)
        {
            if (RulesOf(subject.Binding) is not { } rules)
            {
                missingRole = true;
                continue;
            }
            foreach (var rule in rules)
            {
                if (rule.Allows(attributes))
                {
                    return subject.AllowedReason;
                }
            }
        }
        return null;
    }

    private PolicyRule[]? RulesOf(Binding binding) => RoleReferenceRules(binding.RoleKind, binding.RoleName, binding.Namespace);

    // VisitRulesFor's order: cluster bindings, then the namespace's bindings.
    private IEnumerable<BindingSubject> Relevant(UserInfo user, string ns)
    {
        foreach (var scope in ns.Length > 0 ? new[] { "", ns } : [""])
        {
            foreach (var subject in policy.ForUser(user.Name, scope) ?? [])
            {
                yield return subject;
            }
            foreach (var group in user.Groups)
            {
                foreach (var subject in policy.ForGroup(group, scope) ?? [])
                {
                    yield return subject;
                }
            }
        }
    }

    // The lister's NotFound of each missing role a relevant binding refers to (singular resource, as the generated listers name it).
    private List<string> ResolutionErrors(UserInfo user, string ns) => Relevant(user, ns)
        .Where(s => RulesOf(s.Binding) is null)
        .Select(s => s.Binding.RoleKind switch
        {
            "ClusterRole" or "Role" => $"{s.Binding.RoleKind.ToLowerInvariant()}.rbac.authorization.k8s.io {GoSyntax.Quote(s.Binding.RoleName)} not found",
            var other => $"unsupported role reference kind: {GoSyntax.Quote(other)}",
        })
        .ToList();
}
