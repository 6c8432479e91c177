using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Auth;

/// <summary>
/// kube-apiserver's authorizer union: members of <c>system:masters</c> are allowed everything
/// first (the privileged-group authorizer), then each authorizer is asked in order (Node, then
/// RBAC) and the first Allow or Deny wins. When none has an opinion the request is refused, as
/// with upstream's default of no AlwaysAllow. As a rule resolver it is upstream's union of the
/// members' rule resolvers (apiserver pkg/authorization/union): every member that can list rules
/// adds its own, and the list is incomplete when any member's is. The privileged group lists
/// nothing itself: upstream answers system:masters' rules from RBAC's cluster-admin binding.
/// </summary>
public sealed class AuthorizerChain(IReadOnlyList<IAuthorizer> authorizers) : IAuthorizer, IRuleResolver
{
    public AuthorizationResult Authorize(RequestAttributes attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        if (attributes.User.InGroup(UserInfo.MastersGroup))
        {
            return AuthorizationResult.Allowed();
        }
        // Built only when an authorizer gives a reason: an allowed request allocates nothing here.
        // Indexed: a foreach over the interface would allocate an enumerator per request.
        List<string>? reasons = null;
        for (var i = 0; i < authorizers.Count; i++)
        {
            var result = authorizers[i].Authorize(attributes);
            if (result.Decision != AuthorizationDecision.NoOpinion)
            {
                return result;
            }
            if (result.Reason.Length > 0)
            {
                (reasons ??= []).Add(result.Reason);
            }
        }
        // union.go joins the members' reasons with newlines.
        return AuthorizationResult.NoOpinion(reasons is null ? "" : string.Join("\n", reasons));
    }

    public RuleSet RulesFor(UserInfo user, string @namespace)
    {
        ArgumentNullException.ThrowIfNull(user);
        var rules = new List<k8s.Models.V1PolicyRule>();
        var incomplete = false;
        var errors = new List<string>();
        foreach (var resolver in authorizers.OfType<IRuleResolver>())
        {
            var found = resolver.RulesFor(user, @namespace);
            rules.AddRange(found.Rules);
            incomplete |= found.Incomplete;
            if (found.EvaluationError.Length > 0 && !errors.Contains(found.EvaluationError, StringComparer.Ordinal))
            {
                errors.Add(found.EvaluationError);
            }
        }
        // utilerrors.NewAggregate's wording: one error bare, several in brackets.
        var error = errors.Count > 1 ? $"[{string.Join(", ", errors)}]" : string.Join("", errors);
        return new RuleSet(rules, incomplete, error);
    }

    /// <summary>
    /// The 403 for a refused request, worded as apiserver's responsewriters.Forbidden:
    /// <c>pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"</c>.
    /// </summary>
    public static ApiException Forbidden(RequestAttributes attributes, string reason)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        var user = attributes.User.Name;
        string message;
        if (!attributes.IsResourceRequest)
        {
            message = $"User \"{user}\" cannot {attributes.Verb} path \"{attributes.Path}\"";
        }
        else
        {
            var scope = attributes.Namespace.Length > 0 ? $"in the namespace \"{attributes.Namespace}\"" : "at the cluster scope";
            message = $"User \"{user}\" cannot {attributes.Verb} resource \"{attributes.ResourceWithSubresource}\" in API group \"{attributes.ApiGroup}\" {scope}";
        }
        if (reason.Length > 0)
        {
            message += ": " + reason;
        }
        var resource = attributes.IsResourceRequest ? new GroupResource(attributes.ApiGroup, attributes.Resource) : null;
        return ApiException.Forbidden(resource, attributes.Name, message);
    }

    // schema.GroupResource as the Forbidden Status names it: the kind in details is the plural resource.
    private sealed record GroupResource(string Group, string Name) : IApiResource
    {
        public string Kind => Name;

        public string QualifiedName => Group.Length == 0 ? Name : $"{Name}.{Group}";
    }
}
