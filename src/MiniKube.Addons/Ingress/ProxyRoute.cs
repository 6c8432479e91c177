namespace MiniKube.Addons.Ingress;

/// <summary>How a route's path is compared with the request's (the Ingress spec's path types; ImplementationSpecific is read as Prefix).</summary>
public enum PathMatchKind
{
    /// <summary>The whole path, case-sensitive: <c>/foo</c> matches <c>/foo</c> only, not <c>/foo/</c>.</summary>
    Exact,

    /// <summary>Element by element on <c>/</c>: <c>/foo</c> (or <c>/foo/</c>) matches <c>/foo</c>, <c>/foo/</c> and <c>/foo/bar</c>, never <c>/foobar</c>.</summary>
    Prefix,
}

/// <summary>A header or query parameter a route requires, compared exactly (header names case-insensitively, as HTTP does).</summary>
public sealed record ValueMatch(string Name, string Value);

/// <summary>
/// One route of the data plane, translated from an Ingress path (or an HTTPRoute match): when a
/// request matches <see cref="Host"/>, <see cref="Path"/> and the optional method, headers and
/// query, it goes to the YARP cluster <see cref="ClusterId"/>. Which of several matching routes
/// wins is <see cref="RoutePrecedence"/>'s call; this type only says whether one matches.
/// </summary>
public sealed record ProxyRoute
{
    /// <summary>Unique in a table; YARP's route id.</summary>
    public required string Id { get; init; }

    /// <summary>A host (lower case), a wildcard <c>*.example.com</c> matching exactly one more label, or null for any host.</summary>
    public string? Host { get; init; }

    public PathMatchKind PathKind { get; init; } = PathMatchKind.Prefix;

    public string Path { get; init; } = "/";

    /// <summary>The HTTP method required, or null for any.</summary>
    public string? Method { get; init; }

    public IReadOnlyList<ValueMatch> Headers { get; init; } = [];

    public IReadOnlyList<ValueMatch> Query { get; init; } = [];

    public required string ClusterId { get; init; }

    /// <summary>A default backend: it matches anything and loses to every other route.</summary>
    public bool Fallback { get; init; }

    /// <summary>When the object the route came from was created: the older wins a tie, as upstream's conformance expects.</summary>
    public DateTimeOffset Created { get; init; }

    /// <summary>The object it came from, <c>namespace/name</c>, the last tie-breaker (with <see cref="Index"/>).</summary>
    public string Source { get; init; } = "";

    /// <summary>Its position within its object (rule, path), so a table is ordered the same way every time.</summary>
    public int Index { get; init; }

    /// <summary>YARP-side transforms of this route beyond the defaults (the Gateway API's filters), in YARP's configuration form.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> Transforms { get; init; } = [];

    /// <summary>Whether a request with these parts matches; <paramref name="host"/> without its port.</summary>
    public bool Matches(string host, string path, string method, Func<string, string?> header, Func<string, string?> query)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(query);
        return (Host is null || HostPatterns.Matches(Host, host))
            && PathMatches(path)
            && (Method is null || string.Equals(Method, method, StringComparison.OrdinalIgnoreCase))
            && Headers.All(h => header(h.Name) == h.Value)
            && Query.All(q => query(q.Name) == q.Value);
    }

    private bool PathMatches(string path) => PathKind switch
    {
        PathMatchKind.Exact => string.Equals(Path, path, StringComparison.Ordinal),
        _ => PrefixMatches(Path, path),
    };

    /// <summary>The Ingress spec's element-wise prefix: the prefix's trailing slash is ignored, and a match ends at a <c>/</c> or the end.</summary>
    public static bool PrefixMatches(string prefix, string path)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(path);
        var trimmed = prefix.TrimEnd('/');
        return trimmed.Length == 0
            || (path.StartsWith(trimmed, StringComparison.Ordinal) && (path.Length == trimmed.Length || path[trimmed.Length] == '/'));
    }
}

/// <summary>Host names as the Ingress and Gateway API specs compare them.</summary>
public static class HostPatterns
{
    /// <summary>Whether <paramref name="host"/> (no port) matches <paramref name="pattern"/>: equal ignoring case, or for <c>*.example.com</c> one label followed by <c>.example.com</c>.</summary>
    public static bool Matches(string pattern, string host)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(host);
        if (!IsWildcard(pattern))
        {
            return string.Equals(pattern, host, StringComparison.OrdinalIgnoreCase);
        }
        var suffix = pattern.AsSpan(1);
        return host.Length > suffix.Length
            && host.AsSpan(host.Length - suffix.Length).Equals(suffix, StringComparison.OrdinalIgnoreCase)
            && !host.AsSpan(0, host.Length - suffix.Length).Contains('.');
    }

    public static bool IsWildcard(string pattern) => pattern.StartsWith("*.", StringComparison.Ordinal);

    /// <summary>The request's host without port or IPv6 brackets' port, lower case.</summary>
    public static string WithoutPort(string hostHeader)
    {
        ArgumentNullException.ThrowIfNull(hostHeader);
        if (hostHeader.StartsWith('['))
        {
            var close = hostHeader.IndexOf(']', StringComparison.Ordinal);
            return (close < 0 ? hostHeader : hostHeader[..(close + 1)]).ToLowerInvariant();
        }
        var colon = hostHeader.LastIndexOf(':');
        return (colon < 0 ? hostHeader : hostHeader[..colon]).ToLowerInvariant();
    }
}
