using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Auth;

/// <summary>
/// What a request asks to do, for the authorizers: upstream's authorizer.Attributes, built from
/// the URL alone by the rules of apiserver's RequestInfoFactory, so every path (discovery,
/// aggregated APIs, the kubelet proxy, paths nothing serves) is decided before any handler runs.
/// A resource request names a group, version, resource and optionally namespace, name and
/// subresource; anything else is a non-resource request on <see cref="Path"/>.
/// </summary>
public sealed record RequestAttributes(UserInfo User, string Verb)
{
    // Subresource-like names that follow /namespaces/{name}/ and belong to the namespace itself.
    private static readonly HashSet<string> NamespaceSubresources = new(StringComparer.Ordinal) { "status", "finalize" };

    // Connections that kubectl opens with a GET upgrade (WebSockets) but that create a session;
    // checked as "create", as upstream does since AuthorizePodWebsocketUpgradeCreatePermission.
    private static readonly HashSet<string> ConnectSubresources = new(StringComparer.Ordinal) { "exec", "attach", "portforward" };

    public bool IsResourceRequest { get; init; }

    /// <summary>The URL path, for non-resource requests (<c>/healthz</c>, <c>/apis</c>).</summary>
    public string Path { get; init; } = "";

    public string ApiGroup { get; init; } = "";

    public string ApiVersion { get; init; } = "";

    /// <summary>Plural resource name, e.g. <c>pods</c>; empty for non-resource requests.</summary>
    public string Resource { get; init; } = "";

    public string Subresource { get; init; } = "";

    /// <summary>Empty for cluster-scoped resources and for requests across all namespaces.</summary>
    public string Namespace { get; init; } = "";

    public string Name { get; init; } = "";

    /// <summary>
    /// The terms of the <c>fieldSelector</c> of a list, watch or deletecollection (not of a
    /// <c>/watch/</c> path), as authorizer.Attributes.GetFieldSelector gives them with
    /// AuthorizeWithSelectors (on by default in 1.32); none when absent or unparsable.
    /// </summary>
    public IReadOnlyList<FieldTerm> FieldSelector { get; init; } = [];

    /// <summary>The resource and subresource as RBAC rules name them: <c>pods/log</c>.</summary>
    public string ResourceWithSubresource => Subresource.Length == 0 ? Resource : Resource + "/" + Subresource;

    /// <summary>The attributes of <paramref name="request"/> made by <paramref name="user"/>.</summary>
    public static RequestAttributes From(HttpRequest request, UserInfo user)
    {
        ArgumentNullException.ThrowIfNull(request);
        var path = request.Path.Value ?? "/";
        var plain = new RequestAttributes(user, request.Method.ToLowerInvariant()) { Path = path };
        var parts = path.Trim('/').Split('/', StringSplitOptions.None);
        if (parts.Length < 3 || parts[0] is not ("api" or "apis") || (parts[0] == "apis" && parts.Length < 4))
        {
            return plain;
        }
        var rest = parts.AsSpan(1);
        var group = "";
        if (parts[0] == "apis")
        {
            group = rest[0];
            rest = rest[1..];
        }
        var version = rest[0];
        rest = rest[1..];
        string verb;
        var proxy = false;
        var verbInPath = false;
        if (rest[0] is "watch" or "proxy")
        {
            if (rest.Length < 2)
            {
                return plain;
            }
            verb = rest[0];
            proxy = verb == "proxy";
            verbInPath = true;
            rest = rest[1..];
        }
        else
        {
            verb = ApiVerbs.FromHttpMethod(request.Method);
        }
        var ns = "";
        if (rest[0] == "namespaces" && rest.Length > 1)
        {
            ns = rest[1];
            if (rest.Length > 2 && !NamespaceSubresources.Contains(rest[2]))
            {
                rest = rest[2..];
            }
        }
        var resource = rest[0];
        var name = rest.Length >= 2 ? rest[1] : "";
        var subresource = rest.Length >= 3 && !proxy ? rest[2] : "";
        IReadOnlyList<FieldTerm> fieldSelector = verbInPath ? [] : FieldTerms(request);
        if (name.Length == 0 && verb == "get")
        {
            verb = request.Query.TryGetValue("watch", out var watch) && watch.Count > 0 && watch[0] is not ("false" or "0" or "False" or "FALSE") ? "watch" : "list";
            // A list or watch whose field selector requires one metadata.name is about that object
            // (RequestInfoFactory), so a kubelet's single-Secret watch can be authorized by name.
            name = RequiredName(fieldSelector);
        }
        else if (name.Length == 0 && verb == "delete")
        {
            verb = "deletecollection";
        }
        else if (verb == "get" && resource == "pods" && ConnectSubresources.Contains(subresource))
        {
            verb = "create";
        }
        return new RequestAttributes(user, verb)
        {
            IsResourceRequest = true,
            Path = path,
            ApiGroup = group,
            ApiVersion = version,
            Resource = resource,
            Subresource = subresource,
            Namespace = ns,
            Name = name,
            FieldSelector = verb is "list" or "watch" or "deletecollection" ? fieldSelector : [],
        };
    }

    private static IReadOnlyList<FieldTerm> FieldTerms(HttpRequest request)
    {
        if (!request.Query.TryGetValue("fieldSelector", out var values) || values.Count == 0 || string.IsNullOrEmpty(values[0]))
        {
            return [];
        }
        try
        {
            return FieldSelectorSyntax.Parse(values[0]);
        }
        catch (InvalidSelectorException)
        {
            // The handler answers the bad selector with its 400; authorization sees no selector.
            return [];
        }
    }

    // fields.Selector.RequiresExactMatch("metadata.name"), kept only when it is a valid path segment name.
    private static string RequiredName(IReadOnlyList<FieldTerm> terms)
    {
        foreach (var term in terms)
        {
            if (term.Field == "metadata.name" && !term.Negated)
            {
                return term.Value is "." or ".." || term.Value.AsSpan().IndexOfAny('/', '%') >= 0 ? "" : term.Value;
            }
        }
        return "";
    }
}
