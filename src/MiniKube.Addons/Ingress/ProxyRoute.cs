using System.Text.RegularExpressions;

namespace MiniKube.Addons.Ingress;

/// <summary>How a route's path is compared with the request's (the Ingress spec's path types, ImplementationSpecific read as Prefix; the Gateway API's RegularExpression).</summary>
public enum PathMatchKind
{
    /// <summary>The whole path, case-sensitive: <c>/foo</c> matches <c>/foo</c> only, not <c>/foo/</c>.</summary>
    Exact,

    /// <summary>Element by element on <c>/</c>: <c>/foo</c> (or <c>/foo/</c>) matches <c>/foo</c>, <c>/foo/</c> and <c>/foo/bar</c>, never <c>/foobar</c>.</summary>
    Prefix,

    /// <summary>The whole path matches a regular expression (.NET syntax, anchored at both ends); ranked after every Exact and Prefix path.</summary>
    RegularExpression,
}

/// <summary>
/// A header or query parameter a route requires, compared exactly (header names
/// case-insensitively, as HTTP does) or, with <see cref="IsRegex"/>, as a regular expression over
/// the whole value.
/// </summary>
public sealed record ValueMatch(string Name, string Value, bool IsRegex = false)
{
    // An invalid pattern never matches (the translator reports it before it gets here).
    private readonly Regex? _regex = IsRegex ? RouteRegex.TryAnchored(Value) : null;

    public bool Matches(string? actual) => actual is not null && (IsRegex ? _regex is { } regex && RouteRegex.IsMatch(regex, actual) : actual == Value);
}

/// <summary>The Gateway API's RegularExpression matches, compiled once per table, anchored, with a time budget so that no pattern stalls a request.</summary>
public static class RouteRegex
{
    /// <summary>How long one match may take; a pattern that runs longer does not match.</summary>
    public static TimeSpan Budget { get; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The pattern matching whole values, or null when it is not a valid .NET regular expression.</summary>
    public static Regex? TryAnchored(string pattern)
    {
        try
        {
            return Anchored(pattern);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    internal static Regex Anchored(string pattern) => new($"^(?:{pattern})$", RegexOptions.CultureInvariant, Budget);

    internal static bool IsMatch(Regex regex, string value)
    {
        try
        {
            return regex.IsMatch(value);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }
}

/// <summary>Which listener a route serves: both (an Ingress), or only plain HTTP or only HTTPS (a Gateway listener's protocol).</summary>
public enum ListenerScheme
{
    Any,
    Http,
    Https,
}

/// <summary>
/// A Gateway API RequestRedirect, answered by the data plane itself: each part null keeps the
/// request's (the port: the listener's, or the scheme's well-known one when the scheme changes);
/// <see cref="PathPrefix"/> set means ReplacePrefixMatch of the route's matched prefix.
/// </summary>
public sealed record RedirectAction(string? Scheme, string? Hostname, int? Port, string? FullPath, string? PathPrefix, int StatusCode);

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

    /// <summary>A host (lower case), a wildcard <c>*.example.com</c> matching exactly one more label (any number with <see cref="WildcardAnyDepth"/>), or null for any host.</summary>
    public string? Host { get; init; }

    /// <summary>The Gateway API's wildcard: <c>*.example.com</c> covers <c>a.b.example.com</c> too (the Ingress spec's covers one label).</summary>
    public bool WildcardAnyDepth { get; init; }

    /// <summary>Which listener the route is served on.</summary>
    public ListenerScheme Scheme { get; init; }

    /// <summary>The port the client addressed, as the route's Gateway listener declares it (a redirect keeps it); null for Ingress routes.</summary>
    public int? ListenerPort { get; init; }

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

    /// <summary>Answered without a backend: a redirect (RequestRedirect).</summary>
    public RedirectAction? Redirect { get; init; }

    /// <summary>Answered without a backend with this status: 500 when a Gateway route rule has no usable backend, as the spec says.</summary>
    public int? DirectStatus { get; init; }

    /// <summary>YARP-side transforms of this route beyond the defaults (the Gateway API's filters), in YARP's configuration form.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> Transforms { get; init; } = [];

    /// <summary>
    /// Whether every request for its host matches, so that ASP.NET routing's own match (the host
    /// compared ignoring case and port, any path) already decides it: an exact host or none, the
    /// whole path space (Prefix <c>/</c>), both listeners, no method, header or query. Most
    /// Ingress rules are such routes, and they need no <see cref="Matches"/> per request.
    /// </summary>
    public bool MatchesWholeHost =>
        Scheme == ListenerScheme.Any
        && (Host is null || !HostPatterns.IsWildcard(Host))
        && PathKind == PathMatchKind.Prefix && Path.TrimEnd('/').Length == 0
        && Method is null && Headers.Count == 0 && Query.Count == 0;

    /// <summary>Whether a request with these parts matches; <paramref name="host"/> without its port; <paramref name="https"/> whether it came on the HTTPS listener.</summary>
    public bool Matches(string host, string path, string method, Func<string, string?> header, Func<string, string?> query, bool https = false)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(query);
        return (Scheme == ListenerScheme.Any || (Scheme == ListenerScheme.Https) == https)
            && (Host is null || HostPatterns.Matches(Host, host, WildcardAnyDepth))
            && PathMatches(path)
            && (Method is null || string.Equals(Method, method, StringComparison.OrdinalIgnoreCase))
            && AllMatch(Headers, header)
            && AllMatch(Query, query);
    }

    // A loop, not LINQ: this runs for every candidate route of every request.
    private static bool AllMatch(IReadOnlyList<ValueMatch> matches, Func<string, string?> actual)
    {
        for (var i = 0; i < matches.Count; i++)
        {
            if (!matches[i].Matches(actual(matches[i].Name)))
            {
                return false;
            }
        }
        return true;
    }

    private Regex? _pathRegex;

    private bool PathMatches(string path) => PathKind switch
    {
        PathMatchKind.Exact => string.Equals(Path, path, StringComparison.Ordinal),
        PathMatchKind.RegularExpression => (_pathRegex ??= RouteRegex.TryAnchored(Path)) is { } regex && RouteRegex.IsMatch(regex, path),
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
    /// <summary>Whether <paramref name="host"/> (no port) matches <paramref name="pattern"/>: equal ignoring case, or for <c>*.example.com</c> one label (any labels with <paramref name="anyDepth"/>) followed by <c>.example.com</c>.</summary>
    public static bool Matches(string pattern, string host, bool anyDepth = false)
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
            && (anyDepth || !host.AsSpan(0, host.Length - suffix.Length).Contains('.'));
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
