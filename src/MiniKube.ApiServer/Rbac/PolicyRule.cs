using k8s.Models;
using MiniKube.ApiServer.Auth;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Rbac;

/// <summary>
/// One rule of a Role or ClusterRole, read once from the stored object into arrays so that
/// matching a request allocates nothing. Matching is upstream's RuleAllows
/// (plugin/pkg/auth/authorizer/rbac/rbac.go over pkg/apis/rbac/v1/evaluation_helpers.go):
/// verbs and groups match exactly or by <c>*</c>; resources exactly (<c>pods/log</c> as one
/// string), by <c>*</c>, or by <c>*/subresource</c> — a rule naming <c>pods/*</c> matches only
/// a subresource literally called <c>*</c>, as upstream; resourceNames, when given, must contain
/// the request's name; non-resource URLs match exactly, by <c>*</c>, or by a trailing <c>*</c> prefix.
/// Immutable.
/// </summary>
internal sealed class PolicyRule
{
    private static readonly string[] None = [];

    public PolicyRule(string[] verbs, string[] apiGroups, string[] resources, string[] resourceNames, string[] nonResourceUrls)
    {
        Verbs = verbs;
        ApiGroups = apiGroups;
        Resources = resources;
        ResourceNames = resourceNames;
        NonResourceUrls = nonResourceUrls;
    }

    public string[] Verbs { get; }

    public string[] ApiGroups { get; }

    public string[] Resources { get; }

    public string[] ResourceNames { get; }

    public string[] NonResourceUrls { get; }

    /// <summary>The rules of a Role or ClusterRole object (its <c>rules</c>).</summary>
    public static PolicyRule[] ListFrom(JsonObject role)
    {
        ArgumentNullException.ThrowIfNull(role);
        return role.Items("rules").Select(r => From(r.Item)).ToArray();
    }

    public static PolicyRule From(JsonObject rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return new(Strings(rule, "verbs"), Strings(rule, "apiGroups"), Strings(rule, "resources"), Strings(rule, "resourceNames"), Strings(rule, "nonResourceURLs"));
    }

    public static PolicyRule From(V1PolicyRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return new(Array(rule.Verbs), Array(rule.ApiGroups), Array(rule.Resources), Array(rule.ResourceNames), Array(rule.NonResourceURLs));
    }

    /// <summary>The rule as the API writes it (empty lists left out, as Go's omitempty).</summary>
    public V1PolicyRule ToV1() => new()
    {
        Verbs = Verbs.ToList(),
        ApiGroups = ApiGroups.Length > 0 ? ApiGroups.ToList() : null,
        Resources = Resources.Length > 0 ? Resources.ToList() : null,
        ResourceNames = ResourceNames.Length > 0 ? ResourceNames.ToList() : null,
        NonResourceURLs = NonResourceUrls.Length > 0 ? NonResourceUrls.ToList() : null,
    };

    /// <summary>The rule as stored JSON, fields in upstream's order.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject();
        Add(json, "verbs", Verbs, always: true);
        Add(json, "apiGroups", ApiGroups, always: false);
        Add(json, "resources", Resources, always: false);
        Add(json, "resourceNames", ResourceNames, always: false);
        Add(json, "nonResourceURLs", NonResourceUrls, always: false);
        return json;
    }

    /// <summary>RuleAllows: whether this rule permits the request.</summary>
    public bool Allows(RequestAttributes attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        if (!Contains(Verbs, attributes.Verb, "*"))
        {
            return false;
        }
        if (!attributes.IsResourceRequest)
        {
            return UrlMatches(attributes.Path);
        }
        return Contains(ApiGroups, attributes.ApiGroup, "*")
            && ResourceMatches(attributes.Resource, attributes.Subresource)
            && (ResourceNames.Length == 0 || Contains(ResourceNames, attributes.Name, null));
    }

    // ResourceMatches: the combined "resource/subresource" compared without building it.
    private bool ResourceMatches(string resource, string subresource)
    {
        foreach (var rule in Resources)
        {
            if (rule == "*")
            {
                return true;
            }
            if (subresource.Length == 0)
            {
                if (rule == resource)
                {
                    return true;
                }
                continue;
            }
            if (rule.Length == resource.Length + 1 + subresource.Length && rule.StartsWith(resource, StringComparison.Ordinal)
                && rule[resource.Length] == '/' && rule.EndsWith(subresource, StringComparison.Ordinal))
            {
                return true;
            }
            if (rule.Length == subresource.Length + 2 && rule.StartsWith("*/", StringComparison.Ordinal) && rule.EndsWith(subresource, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    private bool UrlMatches(string path)
    {
        foreach (var url in NonResourceUrls)
        {
            if (url == "*" || url == path)
            {
                return true;
            }
            if (url.EndsWith('*') && path.AsSpan().StartsWith(url.AsSpan().TrimEnd('*'), StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    private static bool Contains(string[] values, string wanted, string? all)
    {
        foreach (var value in values)
        {
            if (value == wanted || (all is not null && value == all))
            {
                return true;
            }
        }
        return false;
    }

    private static string[] Strings(JsonObject rule, string field) =>
        rule.Arr(field) is { Count: > 0 } list ? list.Select(JsonFields.ScalarText).ToArray() : None;

    private static string[] Array(IList<string>? list) => list is { Count: > 0 } ? [.. list] : None;

    private static void Add(JsonObject json, string field, string[] values, bool always)
    {
        if (always || values.Length > 0)
        {
            json[field] = new JsonArray(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
        }
    }
}
