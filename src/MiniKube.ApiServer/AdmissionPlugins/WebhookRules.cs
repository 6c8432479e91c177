using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.AdmissionPlugins;

/// <summary>
/// Whether a webhook's rules select a write (apiserver admission/plugin/webhook/predicates/rules
/// and generic/webhook.go ShouldCallHook): scope, operation, group, version, and resource with
/// subresource ("pods", "pods/status", "pods/*", "*/status", "*", "*/*"). With matchPolicy
/// Equivalent a rule may also select the resource through another form of the same stored
/// objects (kube-apiserver's equivalence is by storage prefix: autoscaling/v1 and v2
/// HorizontalPodAutoscalers, core and events.k8s.io Events); the webhook then sees that form.
/// </summary>
public static class WebhookRules
{
    /// <summary>
    /// The form of the resource the webhook is called with: the request's own when a rule
    /// matches it, else an equivalent one (Equivalent policy); null when nothing matches.
    /// </summary>
    public static ResourceType? Match(IReadOnlyList<JsonObject> rules, bool exact, AdmissionRequest request)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(request);
        if (rules.Any(rule => Matches(rule, request.Type, request)))
        {
            return request.Type;
        }
        if (exact)
        {
            return null;
        }
        return ResourceCatalog.All
            .Where(other => !ReferenceEquals(other, request.Type) && other.KeyPrefix == request.Type.KeyPrefix)
            .FirstOrDefault(other => rules.Any(rule => Matches(rule, other, request)));
    }

    /// <summary>The CREATE/UPDATE/DELETE spelling of admission (and of rules).</summary>
    public static string Operation(AdmissionOperation operation) => operation switch
    {
        AdmissionOperation.Create => "CREATE",
        AdmissionOperation.Update => "UPDATE",
        _ => "DELETE",
    };

    /// <summary>
    /// The namespace admission reports: the object's, and for a Namespace its own name
    /// (upstream's handlers set it so, and rules and selectors rely on it).
    /// </summary>
    public static string Namespace(AdmissionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return IsNamespace(request.Type) ? request.Name : request.Namespace ?? "";
    }

    public static bool IsNamespace(ResourceType type) => type is { Group: "", Name: "namespaces" };

    private static bool Matches(JsonObject rule, ResourceType type, AdmissionRequest request) =>
        Scope(rule.Str("scope"), type, request)
        && AnyOf(rule, "operations", Operation(request.Operation))
        && AnyOf(rule, "apiGroups", type.Group)
        && AnyOf(rule, "apiVersions", type.Version)
        && Resource(rule, type.Name, request.Subresource ?? "");

    private static bool Scope(string? scope, ResourceType type, AdmissionRequest request) => scope switch
    {
        null or "*" => true,
        // Namespaces are cluster-scoped although admission gives them a namespace (their name).
        "Namespaced" => !IsNamespace(type) && Namespace(request).Length > 0,
        "Cluster" => IsNamespace(type) || Namespace(request).Length == 0,
        _ => false,
    };

    private static bool AnyOf(JsonObject rule, string field, string value) =>
        rule.Arr(field) is { } list && list.Any(v => v is JsonValue item && item.ToString() is var text && (text == "*" || text == value));

    private static bool Resource(JsonObject rule, string resource, string subresource)
    {
        if (rule.Arr("resources") is not { } list)
        {
            return false;
        }
        foreach (var entry in list)
        {
            var text = entry?.ToString() ?? "";
            var slash = text.IndexOf('/', StringComparison.Ordinal);
            var (res, sub) = slash < 0 ? (text, "") : (text[..slash], text[(slash + 1)..]);
            if ((res == "*" || res == resource) && (sub == "*" || sub == subresource))
            {
                return true;
            }
        }
        return false;
    }
}
