using System.Text.Json.Nodes;
using static MiniKube.Addons.Gateway.Crds.Schema;
using static MiniKube.Addons.Gateway.Crds.SharedTypes;

namespace MiniKube.Addons.Gateway.Crds;

/// <summary>
/// HTTPRoute (upstream apis/v1/httproute_types.go): rules of matches (path, headers, query,
/// method), filters and weighted backends for HTTP traffic through the parent Gateways. A route
/// with no rules gets one matching every path (PathPrefix "/"), as upstream's defaults give it.
/// </summary>
internal static class HttpRouteCrd
{
    private const string ExactOrPrefix = "(self.type in ['Exact','PathPrefix'])";
    private const string ExactOrPrefixText = "when type one of ['Exact', 'PathPrefix']";

    public static JsonObject Spec() => Object(
        ("parentRefs", ParentReferences()),
        ("hostnames", Hostnames()),
        ("rules", Array(Rule(), 16)
            .Default(new JsonArray(new JsonObject { ["matches"] = new JsonArray(new JsonObject { ["path"] = RootPrefix() }) }))
            .Doc("The rules that route requests; a request takes the most specific matching rule.")
            .Rule(TotalMatchesRule(matchesOptional: false))));

    private static JsonObject RootPrefix() => new() { ["type"] = "PathPrefix", ["value"] = "/" };

    private static JsonObject Rule() => Object(
            ("matches", Array(Match(), 64)
                .Default(new JsonArray(new JsonObject { ["path"] = RootPrefix() }))
                .Doc("Conditions of which any one selects this rule; every path by default.")),
            ("filters", Filters()),
            ("backendRefs", Array(BackendRef(Filters()), 16).Doc("Where matching requests go, split by weight.")),
            ("timeouts", Object(
                    ("request", Duration().Doc("The whole request's timeout; 0s: none.")),
                    ("backendRequest", Duration().Doc("One request to a backend's timeout.")))
                .Rule("!(has(self.request) && has(self.backendRequest) && duration(self.request) != duration('0s') && duration(self.backendRequest) > duration(self.request))",
                    "backendRequest timeout cannot be longer than request timeout")))
        .Rule("(has(self.backendRefs) && size(self.backendRefs) > 0) ? (!has(self.filters) || self.filters.all(f, !has(f.requestRedirect))): true",
            "RequestRedirect filter must not be used together with backendRefs")
        .Rule($"(has(self.filters) && self.filters.exists_one(f, {PrefixReplacement("requestRedirect")})) ? {OnePrefixMatch} : true",
            "When using RequestRedirect filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified")
        .Rule($"(has(self.filters) && self.filters.exists_one(f, {PrefixReplacement("urlRewrite")})) ? {OnePrefixMatch} : true",
            "When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified")
        .Rule($"(has(self.backendRefs) && self.backendRefs.exists_one(b, (has(b.filters) && b.filters.exists_one(f, {PrefixReplacement("requestRedirect")})) )) ? {OnePrefixMatch} : true",
            "Within backendRefs, when using RequestRedirect filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified")
        .Rule($"(has(self.backendRefs) && self.backendRefs.exists_one(b, (has(b.filters) && b.filters.exists_one(f, {PrefixReplacement("urlRewrite")})) )) ? {OnePrefixMatch} : true",
            "Within backendRefs, When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified");

    private static string PrefixReplacement(string filter) =>
        $"has(f.{filter}) && has(f.{filter}.path) && f.{filter}.path.type == 'ReplacePrefixMatch' && has(f.{filter}.path.replacePrefixMatch)";

    private const string OnePrefixMatch = "((size(self.matches) != 1 || !has(self.matches[0].path) || self.matches[0].path.type != 'PathPrefix') ? false : true)";

    private static JsonObject Match() => Object(
        ("path", PathMatch()),
        ("headers", HeaderMatches()),
        ("queryParams", Array(Object(
                    ("type", Enum("Exact", "RegularExpression").Default("Exact")),
                    ("name", HeaderName()),
                    ("value", String(1, 1024)))
                .Required("name", "value"), 16)
            .MapList("name")
            .Doc("Query parameters that must all match; names compare exactly.")),
        ("method", Enum("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH")));

    private static JsonObject PathMatch()
    {
        var path = Object(
                ("type", Enum("Exact", "PathPrefix", "RegularExpression").Default("PathPrefix")),
                ("value", String(maxLength: 1024).Default("/")))
            .Default(RootPrefix())
            .Doc("The request path: Exact, PathPrefix (whole segments) or RegularExpression; PathPrefix \"/\" by default.")
            .Rule($"{ExactOrPrefix} ? self.value.startsWith('/') : true", $"value must be an absolute path and start with '/' {ExactOrPrefixText}");
        // Paths that are not in normal form would match differently behind different proxies.
        foreach (var part in new[] { "//", "/./", "/../", "%2f", "%2F", "#" })
        {
            path.Rule($"{ExactOrPrefix} ? !self.value.contains('{part}') : true", $"must not contain '{part}' {ExactOrPrefixText}");
        }
        foreach (var end in new[] { "/..", "/." })
        {
            path.Rule($"{ExactOrPrefix} ? !self.value.endsWith('{end}') : true", $"must not end with '{end}' {ExactOrPrefixText}");
        }
        return path
            .Rule("self.type in ['Exact','PathPrefix'] || self.type == 'RegularExpression'", "type must be one of ['Exact', 'PathPrefix', 'RegularExpression']")
            .Rule($@"{ExactOrPrefix} ? self.value.matches(r""""""^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{{2}})+$"""""") : true",
                $"must only contain valid characters (matching ^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{{2}})+$) for types ['Exact', 'PathPrefix']");
    }

    /// <summary>HTTPRouteFilter: header modifiers, mirror, redirect, rewrite and extension references; a redirect and a rewrite exclude each other.</summary>
    private static JsonObject Filters() => SharedTypes.Filters(
        [
            ("RequestHeaderModifier", "requestHeaderModifier", HeaderModifier),
            ("ResponseHeaderModifier", "responseHeaderModifier", HeaderModifier),
            ("RequestMirror", "requestMirror", RequestMirror),
            ("RequestRedirect", "requestRedirect", Redirect),
            ("URLRewrite", "urlRewrite", Rewrite),
            ("ExtensionRef", "extensionRef", LocalObjectReference),
        ],
        ["RequestHeaderModifier", "ResponseHeaderModifier", "RequestRedirect", "URLRewrite"],
        ("!(self.exists(f, f.type == 'RequestRedirect') && self.exists(f, f.type == 'URLRewrite'))",
            "May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both"));

    private static JsonObject Redirect() => Object(
        ("scheme", Enum("http", "https")),
        ("hostname", PreciseHostname()),
        ("path", PathModifier()),
        ("port", Port()),
        ("statusCode", new JsonObject { ["type"] = "integer", ["enum"] = new JsonArray(301, 302) }.Default(302)));

    private static JsonObject Rewrite() => Object(
        ("hostname", PreciseHostname()),
        ("path", PathModifier()));
}
