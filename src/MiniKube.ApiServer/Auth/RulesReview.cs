using k8s.Models;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Auth;

/// <summary>
/// SelfSubjectRulesReview (pkg/registry/authorization/selfsubjectrulesreview, <c>kubectl auth
/// can-i --list</c>): what the requester may do in spec.namespace, as the server's rule resolver
/// lists it, split into resource and non-resource rules, with <c>incomplete</c> when some
/// authorizer could not list its rules. The reply carries no spec, as upstream's.
/// </summary>
public static class RulesReview
{
    public static JsonObject SelfSubjectRulesReview(JsonObject review, UserInfo requester, IRuleResolver? resolver)
    {
        ArgumentNullException.ThrowIfNull(review);
        ArgumentNullException.ThrowIfNull(requester);
        var ns = ObjectMeta.Str((review["spec"] as JsonObject)?["namespace"]) ?? "";
        if (ns.Length == 0)
        {
            throw ApiException.BadRequest("no namespace on request");
        }
        var found = resolver?.RulesFor(requester, ns) ?? new RuleSet([]);
        var resourceRules = new JsonArray();
        var nonResourceRules = new JsonArray();
        foreach (var rule in found.Rules)
        {
            // One policy rule may name both (RBAC validation forbids it, other authorizers may not).
            if (rule.Resources is { Count: > 0 })
            {
                resourceRules.Add(ResourceRule(rule));
            }
            if (rule.NonResourceURLs is { Count: > 0 })
            {
                nonResourceRules.Add(new JsonObject { ["verbs"] = Array(rule.Verbs) ?? [], ["nonResourceURLs"] = Array(rule.NonResourceURLs) });
            }
        }
        var status = new JsonObject
        {
            ["resourceRules"] = resourceRules,
            ["nonResourceRules"] = nonResourceRules,
            ["incomplete"] = found.Incomplete,
        };
        if (found.EvaluationError.Length > 0)
        {
            status["evaluationError"] = found.EvaluationError;
        }
        return new JsonObject
        {
            ["kind"] = "SelfSubjectRulesReview",
            ["apiVersion"] = AccessReviews.Group + "/v1",
            ["metadata"] = new JsonObject { ["creationTimestamp"] = null },
            ["spec"] = new JsonObject(),
            ["status"] = status,
        };
    }

    // ResourceRule: verbs always, the rest omitempty.
    private static JsonObject ResourceRule(V1PolicyRule rule)
    {
        var json = new JsonObject { ["verbs"] = Array(rule.Verbs) ?? [] };
        if (Array(rule.ApiGroups) is { } groups)
        {
            json["apiGroups"] = groups;
        }
        json["resources"] = Array(rule.Resources);
        if (Array(rule.ResourceNames) is { } names)
        {
            json["resourceNames"] = names;
        }
        return json;
    }

    private static JsonArray? Array(IList<string>? values) =>
        values is { Count: > 0 } ? new JsonArray([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]) : null;
}
