using System.Text;

namespace MiniKube.ApiServer.Aggregation;

/// <summary>
/// The request-header authentication the aggregator speaks to extension API servers
/// (client-go transport/round_trippers.go SetAuthProxyHeaders): the user in X-Remote-User, one
/// X-Remote-Group per group, and X-Remote-Extra-&lt;key&gt; per extra value, with the key
/// percent-encoded where HTTP header names do not allow its bytes (and '%' itself, so the
/// server's url.PathUnescape gets it back). What the client sent under these names, and its own
/// credentials, never reach the extension server: the server trusts the headers because our
/// front-proxy client certificate carries them.
/// </summary>
public static class FrontProxyHeaders
{
    public const string User = "X-Remote-User";
    public const string Group = "X-Remote-Group";
    public const string ExtraPrefix = "X-Remote-Extra-";

    /// <summary>Replaces the identity headers of <paramref name="request"/> with <paramref name="user"/>'s.</summary>
    public static void Set(HttpRequestMessage request, string user, IEnumerable<string> groups, IReadOnlyDictionary<string, IReadOnlyList<string>>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(groups);
        var headers = request.Headers;
        // The client's own credentials and impersonation are for us, not for the extension server
        // (upstream's authentication filter removes Authorization once it has authenticated).
        foreach (var name in headers.Select(h => h.Key).ToList())
        {
            if (name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("Impersonate-", StringComparison.OrdinalIgnoreCase)
                || name.Equals(User, StringComparison.OrdinalIgnoreCase)
                || name.Equals(Group, StringComparison.OrdinalIgnoreCase)
                || name.StartsWith(ExtraPrefix, StringComparison.OrdinalIgnoreCase))
            {
                headers.Remove(name);
            }
        }
        headers.TryAddWithoutValidation(User, user);
        foreach (var group in groups)
        {
            headers.TryAddWithoutValidation(Group, group);
        }
        foreach (var (key, values) in extra ?? new Dictionary<string, IReadOnlyList<string>>())
        {
            foreach (var value in values)
            {
                headers.TryAddWithoutValidation(ExtraPrefix + EscapeExtraKey(key), value);
            }
        }
    }

    /// <summary>headerKeyEscape: bytes outside HTTP's token characters, and '%', become %XX (UTF-8, upper-case hex).</summary>
    public static string EscapeExtraKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var escaped = new StringBuilder(key.Length);
        foreach (var b in Encoding.UTF8.GetBytes(key))
        {
            if (b != '%' && IsTokenByte(b))
            {
                escaped.Append((char)b);
            }
            else
            {
                escaped.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }
        return escaped.ToString();
    }

    // RFC 7230 tchar (net/http's isTokenTable).
    private static bool IsTokenByte(byte b) =>
        b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
            or (byte)'!' or (byte)'#' or (byte)'$' or (byte)'%' or (byte)'&' or (byte)'\'' or (byte)'*' or (byte)'+'
            or (byte)'-' or (byte)'.' or (byte)'^' or (byte)'_' or (byte)'`' or (byte)'|' or (byte)'~';
}
