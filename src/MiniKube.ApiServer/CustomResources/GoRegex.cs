using System.Text.RegularExpressions;

namespace MiniKube.ApiServer.CustomResources;

/// <summary>
/// Compiles a schema's <c>pattern</c> the way CRDs need it: upstream uses Go's RE2 (linear time,
/// no backreferences or lookaround); .NET's <see cref="RegexOptions.NonBacktracking"/> engine
/// has the same guarantees and rejects the same constructs, so a pattern it cannot compile is a
/// CRD-time error rather than a slow request later. Go's named groups <c>(?P&lt;name&gt;…)</c>
/// are rewritten to .NET's <c>(?&lt;name&gt;…)</c>. Matching is unanchored, as Go's MatchString.
/// </summary>
internal static class GoRegex
{
    // Big CRDs repeat the same few patterns (DNS names, quantities) hundreds of times, and building
    // a NonBacktracking engine is the costly part of reading a schema: one instance per pattern
    // text, shared (Regex is thread-safe). Bounded so that a stream of distinct patterns cannot grow it without end.
    private const int CacheLimit = 10_000;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Regex> Cache = new(StringComparer.Ordinal);

    /// <summary>The compiled pattern, or null with <paramref name="error"/> saying why.</summary>
    public static Regex? TryCompile(string pattern, out string? error)
    {
        error = null;
        if (Cache.TryGetValue(pattern, out var cached))
        {
            return cached;
        }
        try
        {
            var regex = new Regex(pattern.Replace("(?P<", "(?<", StringComparison.Ordinal),
                RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
            if (Cache.Count < CacheLimit)
            {
                Cache.TryAdd(pattern, regex);
            }
            return regex;
        }
        catch (ArgumentException e)
        {
            // Construct not supported by a linear-time engine, or malformed syntax.
            error = "error parsing regexp: " + e.Message;
            return null;
        }
        catch (NotSupportedException e)
        {
            error = "error parsing regexp: " + e.Message;
            return null;
        }
    }
}
