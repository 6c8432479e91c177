using MiniKube.ApiServer.Admission;
using MiniKube.ApiServer.Auth;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Registry;

namespace MiniKube.ApiServer.Rbac;

/// <summary>
/// RBAC's escalation prevention (pkg/registry/rbac/role, clusterrole, rolebinding and
/// clusterrolebinding policybased storage, with escalation_check.go), as an admission step so the
/// registry stays kind-agnostic. Nobody grants what they do not hold:
/// <list type="bullet">
/// <item>a Role or ClusterRole is written only when the writer's own rules in that namespace cover
/// its rules (<see cref="RuleCoverage"/>), or the writer may <c>escalate</c> roles/clusterroles;
/// a ClusterRole with an aggregationRule (now or before) needs full authority (<c>*</c> on everything);</item>
/// <item>a binding is written only when the writer may <c>bind</c> the role it refers to (in the
/// binding's namespace), or holds every rule of that role; a binding to a missing role is then a 404.</item>
/// </list>
/// Members of <c>system:masters</c> and the server's own writes skip the check; so do updates
/// that only change ownerReferences or finalizers (the garbage collector's). Refusals are
/// upstream's 403: <c>… is attempting to grant RBAC permissions not currently held:</c> with the
/// missing rules. Runs in the validating phase, first, so an invalid object is a 422 before any
/// escalation question (upstream checks before validation).
/// </summary>
internal sealed class EscalationCheck(RbacAuthorizer rbac, IAuthorizer authorizer) : IAdmissionPlugin
{
    private static readonly PolicyRule[] FullAuthority =
    [
        new(["*"], ["*"], ["*"], [], []),
        new(["*"], [], [], [], ["*"]),
    ];

    public string Name => "RBACEscalation";

    public Task ValidateAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.User is not { } requester || request.Type.Group != RbacValidation.Group || request.Operation == AdmissionOperation.Delete
            || request.Type.Custom is not null || requester.Groups.Contains(UserInfo.MastersGroup))
        {
            return Task.CompletedTask;
        }
        if (request.OldObject is { } old && OnlyGarbageCollectorFields(request.Object, old))
        {
            return Task.CompletedTask;
        }
        var user = new UserInfo(requester.Name, requester.Groups);
        var ns = request.Namespace ?? "";
        switch (request.Type.Name)
        {
            case "roles" or "clusterroles":
                CheckRole(request, user, ns);
                break;
            case "rolebindings" or "clusterrolebindings":
                CheckBinding(request, user, ns);
                break;
        }
        return Task.CompletedTask;
    }

    private void CheckRole(AdmissionRequest request, UserInfo user, string ns)
    {
        // RoleEscalationAuthorized: the request's own name, which a create (POST to the collection) does not have.
        var name = request.Operation == AdmissionOperation.Create ? "" : request.Name;
        if (authorizer.Authorize(Attributes(user, "escalate", request.Type.Name, ns, name)).IsAllowed)
        {
            return;
        }
        ConfirmNoEscalation(request, user, ns, PolicyRule.ListFrom(request.Object), null);
        if (request.Type.Name == "clusterroles" && (request.Object.Has("aggregationRule") || request.OldObject.Has("aggregationRule")))
        {
            ConfirmNoEscalation(request, user, ns, FullAuthority, "must have cluster-admin privileges to use the aggregationRule");
        }
    }

    private void CheckBinding(AdmissionRequest request, UserInfo user, string ns)
    {
        var roleRef = request.Object.Obj("roleRef");
        var kind = roleRef.StrOrEmpty("kind");
        var roleName = roleRef.StrOrEmpty("name");
        var resource = kind switch
        {
            "ClusterRole" => "clusterroles",
            "Role" => "roles",
            _ => null,
        };
        // BindingAuthorized: bind on that role, in the binding's namespace ("" for a ClusterRoleBinding).
        if (resource is not null
            && authorizer.Authorize(Attributes(user, "bind", resource, ns, roleName) with { ApiGroup = roleRef.StrOrEmpty("apiGroup") }).IsAllowed)
        {
            return;
        }
        if (rbac.RoleReferenceRules(kind, roleName, ns) is not { } rules)
        {
            throw ApiException.NotFound(RbacFeed.Find(resource ?? "clusterroles"), roleName);
        }
        ConfirmNoEscalation(request, user, ns, rules, null);
    }

    // ConfirmNoEscalation: the writer's rules in the namespace must cover the rules granted.
    private void ConfirmNoEscalation(AdmissionRequest request, UserInfo user, string ns, IReadOnlyList<PolicyRule> granted, string? message)
    {
        var (held, errors) = rbac.CompiledRulesFor(user, ns);
        var missing = RuleCoverage.Uncovered(held, granted);
        if (missing.Count == 0)
        {
            return;
        }
        if (message is null)
        {
            message = $"user {GoSyntax.Quote(user.Name)} (groups={RuleCoverage.GoQuotedList(user.Groups)}) is attempting to grant RBAC permissions not currently held:\n"
                + string.Join("\n", RuleCoverage.Describe(missing));
            if (errors.Count > 0)
            {
                message += $"; resolution errors: [{RbacAuthorizer.Aggregate(errors)}]";
            }
        }
        throw ApiException.Forbidden(request.Type, request.Name, message);
    }

    private static RequestAttributes Attributes(UserInfo user, string verb, string resource, string ns, string name) => new(user, verb)
    {
        IsResourceRequest = true,
        ApiGroup = RbacValidation.Group,
        ApiVersion = "*",
        Resource = resource,
        Namespace = ns,
        Name = name,
    };

    // IsOnlyMutatingGCFields: the objects equal once ownerReferences and finalizers (and what the server keeps) are set aside.
    private static bool OnlyGarbageCollectorFields(JsonObject obj, JsonObject old)
    {
        static JsonNode Strip(JsonObject o)
        {
            var copy = o.DeepClone().AsObject();
            if (copy["metadata"] is JsonObject meta)
            {
                foreach (var field in new[] { "ownerReferences", "finalizers", "managedFields", "resourceVersion", "generation" })
                {
                    meta.Remove(field);
                }
            }
            return copy;
        }
        return JsonNode.DeepEquals(Strip(obj), Strip(old));
    }
}
