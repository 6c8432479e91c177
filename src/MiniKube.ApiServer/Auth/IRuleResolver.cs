using k8s.Models;

namespace MiniKube.ApiServer.Auth;

/// <summary>
/// Lists what a user may do in a namespace (upstream's authorizer.RuleResolver), for
/// SelfSubjectRulesReview (<c>kubectl auth can-i --list</c>) and for the escalation check that
/// a role or binding grants nothing its writer does not hold. Resource rules and non-resource
/// rules are both <see cref="V1PolicyRule"/>s; cluster-wide grants are included in every namespace.
/// </summary>
public interface IRuleResolver
{
    RuleSet RulesFor(UserInfo user, string @namespace);
}

/// <summary>
/// The rules found, and whether the list is incomplete (an authorizer that cannot list its
/// rules, or a binding to a missing role) with the error that made it so.
/// </summary>
public sealed record RuleSet(IReadOnlyList<V1PolicyRule> Rules, bool Incomplete = false, string EvaluationError = "");
