using CelNet = global::Cel;

namespace MiniKube.ApiServer.Cel;

/// <summary>
/// Kubernetes' URL library (apiserver pkg/cel/library/urls.go): <c>url(s)</c> parses like Go's
/// url.ParseRequestURI (an absolute URL, or an absolute path), then getScheme, getHost,
/// getHostname, getPort, getEscapedPath and getQuery; <c>isURL(s)</c> tests without failing.
/// </summary>
internal static partial class KubernetesLibrary
{
    private static void RegisterUrls(CelNet.CelEnvironment env)
    {
        Type[] u = [typeof(CelUrl)];
        Add(env, "url", [typeof(string)], a => CelUrl.Parse(Str(a[0])) ?? throw new CelEvaluationException($"URL parse error during conversion from string: parse {GoStrings.Quote(Str(a[0]))}: invalid URI for request"));
        Add(env, "isURL", [typeof(string)], a => CelUrl.Parse(Str(a[0])) is not null);
        var parts = new (string Name, Func<CelUrl, object> Part)[]
        {
            ("getScheme", url => url.Scheme), ("getHost", url => url.Host), ("getHostname", url => url.Hostname),
            ("getPort", url => url.Port), ("getEscapedPath", url => url.EscapedPath), ("getQuery", url => url.Query()),
        };
        foreach (var (name, part) in parts)
        {
            Add(env, name, u, a => part((CelUrl)a[0]!));
        }
        Add(env, "string", u, a => ((CelUrl)a[0]!).Text);
    }
}

/// <summary>A parsed URL: its parts as Go's net/url gives them to Kubernetes' URL library.</summary>
internal sealed record CelUrl(string Text, string Scheme, string Host, string Hostname, string Port, string EscapedPath, string RawQuery)
{
    /// <summary>Parses like url.ParseRequestURI; null when that would fail.</summary>
    public static CelUrl? Parse(string text)
    {
        if (text.Length == 0 || text.Any(c => c < 0x20 || c == 0x7f || c == ' '))
        {
            return null;
        }
        var fragmentless = text.Split('#', 2)[0];
        if (fragmentless.Length != text.Length)
        {
            return null; // ParseRequestURI assumes no fragment: '#' is not allowed
        }
        if (text.StartsWith('/'))
        {
            var (pathOnly, queryOnly) = SplitQuery(text);
            return new CelUrl(text, "", "", "", "", pathOnly, queryOnly);
        }
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !char.IsAsciiLetter(text[0]) || !text[..colon].All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.'))
        {
            return null;
        }
        var scheme = text[..colon];
        var rest = text[(colon + 1)..];
        if (!rest.StartsWith("//", StringComparison.Ordinal))
        {
            // Opaque ("mailto:x") URLs: ParseRequestURI accepts them only with a rooted path.
            if (!rest.StartsWith('/'))
            {
                return null;
            }
            var (p, q) = SplitQuery(rest);
            return new CelUrl(text, scheme, "", "", "", p, q);
        }
        rest = rest[2..];
        var slash = rest.IndexOfAny(['/', '?']);
        var authority = slash < 0 ? rest : rest[..slash];
        var (path, query) = SplitQuery(slash < 0 ? "" : rest[slash..]);
        var at = authority.LastIndexOf('@');
        var host = at >= 0 ? authority[(at + 1)..] : authority;
        string hostname, port;
        if (host.StartsWith('['))
        {
            var close = host.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return null;
            }
            hostname = host[1..close];
            var after = host[(close + 1)..];
            if (after.Length > 0 && !after.StartsWith(':'))
            {
                return null;
            }
            port = after.Length > 0 ? after[1..] : "";
        }
        else
        {
            var portColon = host.LastIndexOf(':');
            hostname = portColon >= 0 ? host[..portColon] : host;
            port = portColon >= 0 ? host[(portColon + 1)..] : "";
        }
        if (!port.All(char.IsAsciiDigit))
        {
            return null;
        }
        return new CelUrl(text, scheme, host, hostname, port, path, query);
    }

    private static (string Path, string Query) SplitQuery(string text)
    {
        var q = text.IndexOf('?', StringComparison.Ordinal);
        return q < 0 ? (text, "") : (text[..q], text[(q + 1)..]);
    }

    /// <summary>The query as map&lt;string, list&lt;string&gt;&gt; (url.Values), keys and values unescaped.</summary>
    public CelMap Query()
    {
        var map = new CelMap(4);
        foreach (var pair in RawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Unescape(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? "" : Unescape(pair[(eq + 1)..]);
            map[key] = map.TryGetValue(key, out var existing) ? [.. (object?[])existing!, value] : new object?[] { value };
        }
        return map;
    }

    private static string Unescape(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));

    public override string ToString() => Text;
}
